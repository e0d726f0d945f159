//! PKCS#12 files (`.p12`, `.pfx`) as OpenSSL 3 writes them by default:
//! PBES2 with PBKDF2 (HMAC-SHA-256 or -SHA-1) and AES-CBC, for the key and
//! the certificates. Older files (3DES or RC2 "legacy" encryption) are
//! refused with the command that re-exports them. The MAC is not checked:
//! a wrong password fails the decryption's padding instead.

use aes::cipher::{BlockDecryptMut, KeyIvInit, block_padding::Pkcs7};

use super::der::{self, Element};

const DATA: &[u64] = &[1, 2, 840, 113_549, 1, 7, 1];
const ENCRYPTED_DATA: &[u64] = &[1, 2, 840, 113_549, 1, 7, 6];
const KEY_BAG: &[u64] = &[1, 2, 840, 113_549, 1, 12, 10, 1, 1];
const SHROUDED_KEY_BAG: &[u64] = &[1, 2, 840, 113_549, 1, 12, 10, 1, 2];
const CERT_BAG: &[u64] = &[1, 2, 840, 113_549, 1, 12, 10, 1, 3];
const PBES2: &[u64] = &[1, 2, 840, 113_549, 1, 5, 13];
const PBKDF2: &[u64] = &[1, 2, 840, 113_549, 1, 5, 12];
const HMAC_SHA256: &[u64] = &[1, 2, 840, 113_549, 2, 9];
const AES128_CBC: &[u64] = &[2, 16, 840, 1, 101, 3, 4, 1, 2];
const AES256_CBC: &[u64] = &[2, 16, 840, 1, 101, 3, 4, 1, 42];

const LEGACY: &str = "the file uses legacy encryption (3DES or RC2); re-export it with `openssl pkcs12 -in OLD.p12 -legacy -nodes | openssl pkcs12 -export -out NEW.p12`";

fn bad() -> String {
    "the file is not a PKCS#12 key store".into()
}

fn is(e: &Element<'_>, oid: &[u64]) -> bool {
    e.whole == der::oid(oid).as_slice()
}

/// The private key (PKCS#8 DER) and the certificates (DER) of a PKCS#12 file.
pub fn read(bytes: &[u8], password: &str) -> Result<(Vec<u8>, Vec<Vec<u8>>), String> {
    let (pfx, _) = der::read(bytes).ok_or_else(bad)?;
    let pfx = der::children(pfx.content).ok_or_else(bad)?;
    let auth_safe = der::children(pfx.get(1).ok_or_else(bad)?.content).ok_or_else(bad)?;
    if !is(auth_safe.first().ok_or_else(bad)?, DATA) {
        return Err("the key store is signed with a public key, which is not supported".into());
    }
    let safes = octets_in_explicit(auth_safe.get(1).ok_or_else(bad)?)?;
    let (safes, _) = der::read(&safes).ok_or_else(bad)?;
    let mut key = None;
    let mut certs = Vec::new();
    for info in der::children(safes.content).ok_or_else(bad)? {
        let parts = der::children(info.content).ok_or_else(bad)?;
        let kind = parts.first().ok_or_else(bad)?;
        let contents = if is(kind, DATA) {
            octets_in_explicit(parts.get(1).ok_or_else(bad)?)?
        } else if is(kind, ENCRYPTED_DATA) {
            encrypted_data(parts.get(1).ok_or_else(bad)?, password)?
        } else {
            continue;
        };
        read_bags(&contents, password, &mut key, &mut certs)?;
    }
    Ok((key.ok_or("the key store holds no private key")?, certs))
}

/// The content of `[0] EXPLICIT OCTET STRING`.
fn octets_in_explicit(e: &Element<'_>) -> Result<Vec<u8>, String> {
    let (inner, _) = der::read(e.content).ok_or_else(bad)?;
    Ok(inner.content.to_vec())
}

fn encrypted_data(e: &Element<'_>, password: &str) -> Result<Vec<u8>, String> {
    let (data, _) = der::read(e.content).ok_or_else(bad)?;
    let fields = der::children(data.content).ok_or_else(bad)?;
    let info = der::children(fields.get(1).ok_or_else(bad)?.content).ok_or_else(bad)?;
    let algorithm = info.get(1).ok_or_else(bad)?;
    let encrypted = info.get(2).ok_or_else(bad)?;
    decrypt(algorithm, encrypted.content, password)
}

fn read_bags(
    contents: &[u8],
    password: &str,
    key: &mut Option<Vec<u8>>,
    certs: &mut Vec<Vec<u8>>,
) -> Result<(), String> {
    let (bags, _) = der::read(contents).ok_or_else(bad)?;
    for bag in der::children(bags.content).ok_or_else(bad)? {
        let parts = der::children(bag.content).ok_or_else(bad)?;
        let (kind, value) = (
            parts.first().ok_or_else(bad)?,
            parts.get(1).ok_or_else(bad)?,
        );
        let (value, _) = der::read(value.content).ok_or_else(bad)?;
        if is(kind, KEY_BAG) {
            *key = Some(value.whole.to_vec());
        } else if is(kind, SHROUDED_KEY_BAG) {
            let fields = der::children(value.content).ok_or_else(bad)?;
            let algorithm = fields.first().ok_or_else(bad)?;
            *key = Some(decrypt(
                algorithm,
                fields.get(1).ok_or_else(bad)?.content,
                password,
            )?);
        } else if is(kind, CERT_BAG) {
            let fields = der::children(value.content).ok_or_else(bad)?;
            certs.push(octets_in_explicit(fields.get(1).ok_or_else(bad)?)?);
        }
    }
    Ok(())
}

/// Decrypts PBES2 (PBKDF2 + AES-CBC) content.
fn decrypt(algorithm: &Element<'_>, data: &[u8], password: &str) -> Result<Vec<u8>, String> {
    let alg = der::children(algorithm.content).ok_or_else(bad)?;
    if !is(alg.first().ok_or_else(bad)?, PBES2) {
        return Err(LEGACY.into());
    }
    let params = der::children(alg.get(1).ok_or_else(bad)?.content).ok_or_else(bad)?;
    let kdf = der::children(params.first().ok_or_else(bad)?.content).ok_or_else(bad)?;
    let scheme = der::children(params.get(1).ok_or_else(bad)?.content).ok_or_else(bad)?;
    if !is(kdf.first().ok_or_else(bad)?, PBKDF2) {
        return Err(LEGACY.into());
    }
    let kdf_params = der::children(kdf.get(1).ok_or_else(bad)?.content).ok_or_else(bad)?;
    let salt = kdf_params.first().ok_or_else(bad)?.content;
    let iterations = kdf_params
        .get(1)
        .ok_or_else(bad)?
        .content
        .iter()
        .fold(0u32, |n, b| {
            n.saturating_mul(256).saturating_add(u32::from(*b))
        });
    let prf = kdf_params
        .iter()
        .skip(2)
        .find(|e| e.tag == 0x30)
        .and_then(|e| der::children(e.content))
        .and_then(|c| c.first().copied());
    let algorithm = match prf {
        Some(p) if is(&p, HMAC_SHA256) => ring::pbkdf2::PBKDF2_HMAC_SHA256,
        None => ring::pbkdf2::PBKDF2_HMAC_SHA1,
        Some(_) => {
            return Err(
                "the key store's key derivation is not PBKDF2 with SHA-256 or SHA-1".into(),
            );
        }
    };
    let iterations = std::num::NonZeroU32::new(iterations).ok_or_else(bad)?;
    let iv = scheme.get(1).ok_or_else(bad)?.content;
    let cipher = scheme.first().ok_or_else(bad)?;
    let wrong =
        |_| "wrong password (set AUDITPRESS_SIGN_PASSWORD), or a damaged key store".to_string();
    let mut buf = data.to_vec();
    if is(cipher, AES256_CBC) {
        let mut key = [0u8; 32];
        ring::pbkdf2::derive(algorithm, iterations, salt, password.as_bytes(), &mut key);
        let dec = cbc::Decryptor::<aes::Aes256>::new_from_slices(&key, iv).map_err(|_| bad())?;
        Ok(dec
            .decrypt_padded_mut::<Pkcs7>(&mut buf)
            .map_err(wrong)?
            .to_vec())
    } else if is(cipher, AES128_CBC) {
        let mut key = [0u8; 16];
        ring::pbkdf2::derive(algorithm, iterations, salt, password.as_bytes(), &mut key);
        let dec = cbc::Decryptor::<aes::Aes128>::new_from_slices(&key, iv).map_err(|_| bad())?;
        Ok(dec
            .decrypt_padded_mut::<Pkcs7>(&mut buf)
            .map_err(wrong)?
            .to_vec())
    } else {
        Err("the key store is encrypted with neither AES-128 nor AES-256 in CBC mode".into())
    }
}

#[cfg(test)]
mod tests {
    const STORE: &[u8] = include_bytes!("../../tests/fixtures/signing/ec.p12");

    #[test]
    fn an_openssl_3_key_store_opens_with_its_password_only() {
        let (_, certs) = super::read(STORE, "secret").unwrap();
        assert_eq!(certs.len(), 1);
        let key = crate::sign::Key::from_p12(STORE, "secret").unwrap();
        assert_eq!(key.signer_name(), "Northwind Security Signing");
        assert!(!key.chain.is_empty() && key.chain[0] == certs[0]);
        let wrong = super::read(STORE, "guess").err().unwrap();
        assert!(wrong.contains("wrong password"), "{wrong}");
    }
}
