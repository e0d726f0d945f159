//! Signed deliverables: a PAdES baseline B-B signature added to a PDF as one
//! incremental update (the unsigned file stays an exact prefix, and its PDF/A
//! and PDF/UA conformance is kept), detached CMS signatures of a manifest, and
//! the checks `auditpress verify` makes of both.
//!
//! Keys are PEM: a PKCS#8 (`PRIVATE KEY`), SEC1 (`EC PRIVATE KEY`, P-256) or
//! PKCS#1 (`RSA PRIVATE KEY`) private key and the certificate chain, leaf
//! first, in one file or two. They are read by the parent process only.

pub mod cms;
pub mod der;
pub mod manifest;
pub mod p12;
pub mod pdf;

use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{self as sig, KeyPair};
use sha2::{Digest, Sha256};

/// The algorithm of a signing key.
pub enum KeyKind {
    /// ECDSA on P-256 with SHA-256.
    Ecdsa(sig::EcdsaKeyPair),
    /// RSA PKCS#1 v1.5 with SHA-256.
    Rsa(sig::RsaKeyPair),
}

/// A private key with its certificate chain (leaf first).
pub struct Key {
    /// The private key.
    pub kind: KeyKind,
    /// The DER certificates, the signer's first.
    pub chain: Vec<Vec<u8>>,
    rng: SystemRandom,
}

/// The PEM blocks of a text, as (label, DER bytes).
pub fn pem_blocks(text: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            current = Some((label.to_string(), String::new()));
        } else if line.starts_with("-----END ") {
            let (label, body) = current.take().ok_or("an END line without its BEGIN")?;
            let der = base64::engine::general_purpose::STANDARD
                .decode(body.as_bytes())
                .map_err(|e| format!("the {label} block is not base64 ({e})"))?;
            blocks.push((label, der));
        } else if let Some((_, body)) = current.as_mut()
            && !line.contains(':')
        {
            body.push_str(line);
        }
    }
    Ok(blocks)
}

/// Wraps a SEC1 P-256 private key into PKCS#8, which ring reads.
fn sec1_to_pkcs8(sec1: &[u8]) -> Vec<u8> {
    const PRIME256V1: &[u64] = &[1, 2, 840, 10_045, 3, 1, 7];
    der::seq(&[
        &der::int(0),
        &der::seq(&[&der::oid(der::oids::EC_PUBLIC_KEY), &der::oid(PRIME256V1)]),
        &der::octets(sec1),
    ])
}

impl Key {
    /// Reads a key and its chain from the PEM texts given (key and
    /// certificates in one file, or in two).
    pub fn from_pem(texts: &[&str]) -> Result<Key, String> {
        let rng = SystemRandom::new();
        let mut kind = None;
        let mut chain = Vec::new();
        for text in texts {
            for (label, der) in pem_blocks(text)? {
                match label.as_str() {
                    "CERTIFICATE" => chain.push(der),
                    "PRIVATE KEY" | "EC PRIVATE KEY" | "RSA PRIVATE KEY" if kind.is_some() => {
                        return Err("more than one private key".into());
                    }
                    "PRIVATE KEY" => kind = Some(from_pkcs8(&der, &rng)?),
                    "EC PRIVATE KEY" => kind = Some(from_pkcs8(&sec1_to_pkcs8(&der), &rng)?),
                    "RSA PRIVATE KEY" => {
                        let pair = sig::RsaKeyPair::from_der(&der)
                            .map_err(|e| format!("the RSA key cannot be used ({e})"))?;
                        kind = Some(KeyKind::Rsa(pair));
                    }
                    "ENCRYPTED PRIVATE KEY" => {
                        return Err("the private key is encrypted; decrypt it with `openssl pkcs8 -in KEY -out PLAIN.pem` and keep that file outside the audit folder".into());
                    }
                    _ => {}
                }
            }
        }
        let kind = kind.ok_or("no private key (a PEM `PRIVATE KEY` block)")?;
        Key::from_parts(kind, chain, rng)
    }

    /// Reads a key and its chain from a PKCS#12 file.
    pub fn from_p12(bytes: &[u8], password: &str) -> Result<Key, String> {
        let rng = SystemRandom::new();
        let (pkcs8, chain) = p12::read(bytes, password)?;
        let kind = from_pkcs8(&pkcs8, &rng)?;
        Key::from_parts(kind, chain, rng)
    }

    /// The key with its chain, the certificate of the key put first.
    fn from_parts(
        kind: KeyKind,
        mut chain: Vec<Vec<u8>>,
        rng: SystemRandom,
    ) -> Result<Key, String> {
        if chain.is_empty() {
            return Err("no certificate (a PEM `CERTIFICATE` block, the signer's first)".into());
        }
        let public = match &kind {
            KeyKind::Ecdsa(pair) => pair.public_key().as_ref().to_vec(),
            KeyKind::Rsa(pair) => pair.public_key().as_ref().to_vec(),
        };
        let leaf = chain
            .iter()
            .position(|c| cms::parse_cert(c).is_some_and(|c| c.key == public.as_slice()))
            .ok_or(
                "none of the certificates is the private key's: give the signer's certificate",
            )?;
        let cert = chain.remove(leaf);
        chain.insert(0, cert);
        Ok(Key { kind, chain, rng })
    }

    /// Signs `message` (hashed with SHA-256 by the algorithm).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let failed = |_| "the signature could not be computed".to_string();
        match &self.kind {
            KeyKind::Ecdsa(pair) => pair
                .sign(&self.rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(failed),
            KeyKind::Rsa(pair) => {
                let mut out = vec![0; pair.public().modulus_len()];
                pair.sign(&sig::RSA_PKCS1_SHA256, &self.rng, message, &mut out)
                    .map_err(failed)?;
                Ok(out)
            }
        }
    }

    /// The signer's common name, or "the signer".
    pub fn signer_name(&self) -> String {
        cms::parse_cert(&self.chain[0])
            .and_then(|c| cms::common_name(c.subject))
            .unwrap_or_else(|| "the signer".into())
    }
}

fn from_pkcs8(der: &[u8], rng: &SystemRandom) -> Result<KeyKind, String> {
    if let Ok(pair) = sig::EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_ASN1_SIGNING, der, rng)
    {
        return Ok(KeyKind::Ecdsa(pair));
    }
    sig::RsaKeyPair::from_pkcs8(der)
        .map(KeyKind::Rsa)
        .map_err(|e| {
            format!("the private key is neither ECDSA P-256 nor RSA of 2048 bits or more ({e})")
        })
}

/// Checks a signature made with the public key `key` of algorithm
/// `algorithm` (an OID element) over `message`.
pub fn check_signature(algorithm: &[u8], key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let verifier: &dyn sig::VerificationAlgorithm =
        if algorithm == der::oid(der::oids::EC_PUBLIC_KEY).as_slice() {
            &sig::ECDSA_P256_SHA256_ASN1
        } else if algorithm == der::oid(der::oids::RSA).as_slice() {
            &sig::RSA_PKCS1_2048_8192_SHA256
        } else {
            return false;
        };
    sig::UnparsedPublicKey::new(verifier, key)
        .verify(message, signature)
        .is_ok()
}

/// The SHA-256 fingerprint of a certificate, as colon-separated hex.
pub fn fingerprint(cert: &[u8]) -> String {
    Sha256::digest(cert)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Whether `trusted` vouches for `signer`: it is the signer's certificate, or
/// the certificate that issued it.
pub fn trusts(trusted: &[u8], signer: &[u8]) -> bool {
    if trusted == signer {
        return true;
    }
    let (Some(t), Some(s)) = (cms::parse_cert(trusted), cms::parse_cert(signer)) else {
        return false;
    };
    let message_ok = s.issuer == t.subject;
    let ecdsa = der::oid(der::oids::ECDSA_SHA256);
    let rsa = der::oid(der::oids::RSA_SHA256);
    let algorithm_ok = s.signed_with == ecdsa.as_slice() || s.signed_with == rsa.as_slice();
    message_ok && algorithm_ok && check_signature(t.key_algorithm, t.key, s.tbs, s.signature)
}

/// What a build signs and lists, decided in the parent.
pub struct Signing {
    /// The key, when `--sign` was given.
    pub key: Option<Key>,
    /// Where the key was read from.
    pub key_path: Option<std::path::PathBuf>,
    /// Whether `--manifest` was given.
    pub manifest: bool,
    /// The claimed signing time, seconds since the epoch.
    pub time: i64,
}

impl std::fmt::Debug for Signing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signing")
            .field("key", &self.key.as_ref().map(|_| "(withheld)"))
            .field("manifest", &self.manifest)
            .field("time", &self.time)
            .finish()
    }
}
