//! CMS SignedData (RFC 5652) as PAdES baseline B-B and a detached manifest
//! signature need it: a detached SHA-256 digest, the signer's certificate
//! named by issuer and serial, and the signed attributes content-type,
//! message-digest and signing-certificate-v2 (no signing time: PAdES puts it
//! in the signature dictionary's /M).

use sha2::{Digest, Sha256};

use super::der::{self, Element, oids};
use super::{Key, KeyKind};

/// The fields of an X.509 certificate that signing and verifying read.
pub struct Cert<'a> {
    /// The whole certificate, as it is embedded.
    pub der: &'a [u8],
    /// The serial number, as its whole INTEGER element.
    pub serial: &'a [u8],
    /// The issuer's Name, as its whole element.
    pub issuer: &'a [u8],
    /// The subject's Name, as its whole element.
    pub subject: &'a [u8],
    /// The public key's algorithm identifier (its OID element).
    pub key_algorithm: &'a [u8],
    /// The public key: the bits of subjectPublicKey.
    pub key: &'a [u8],
    /// The signed part, its signature algorithm's OID element and signature bits.
    pub tbs: &'a [u8],
    /// The OID element of the algorithm the issuer signed with.
    pub signed_with: &'a [u8],
    /// The issuer's signature bits.
    pub signature: &'a [u8],
}

/// Reads a certificate's fields, or None when it is not one.
pub fn parse_cert(der_bytes: &[u8]) -> Option<Cert<'_>> {
    let (cert, _) = der::read(der_bytes)?;
    let parts = der::children(cert.content)?;
    let (tbs, alg, sig) = (parts.first()?, parts.get(1)?, parts.get(2)?);
    let fields = der::children(tbs.content)?;
    let skip = usize::from(fields.first()?.tag == 0xa0);
    let field = |i: usize| fields.get(skip + i);
    let spki = der::children(field(5)?.content)?;
    let key_alg = der::children(spki.first()?.content)?;
    Some(Cert {
        der: cert.whole,
        serial: field(0)?.whole,
        issuer: field(2)?.whole,
        subject: field(4)?.whole,
        key_algorithm: key_alg.first()?.whole,
        key: spki.get(1)?.content.get(1..)?,
        tbs: tbs.whole,
        signed_with: der::children(alg.content)?.first()?.whole,
        signature: sig.content.get(1..)?,
    })
}

/// The common name of a Name, if it has one.
pub fn common_name(name: &[u8]) -> Option<String> {
    let (name, _) = der::read(name)?;
    let cn = der::oid(oids::COMMON_NAME);
    for rdn in der::children(name.content)? {
        for pair in der::children(rdn.content)? {
            let kv = der::children(pair.content)?;
            if kv.first()?.whole == cn.as_slice() {
                return Some(String::from_utf8_lossy(kv.get(1)?.content).into_owned());
            }
        }
    }
    None
}

fn attribute(kind: &[u64], value: &[u8]) -> Vec<u8> {
    der::seq(&[&der::oid(kind), &der::set_of(&[value])])
}

fn sha256_algorithm() -> Vec<u8> {
    der::seq(&[&der::oid(oids::SHA256)])
}

/// The signed attributes, encoded as the SET that is signed.
fn signed_attributes(digest: &[u8], leaf: &[u8]) -> Vec<u8> {
    let cert_hash = Sha256::digest(leaf);
    let ess_cert_id = der::seq(&[&der::octets(&cert_hash)]);
    let signing_certificate = der::seq(&[&der::seq(&[&ess_cert_id])]);
    der::set_of(&[
        &attribute(oids::CONTENT_TYPE, &der::oid(oids::DATA)),
        &attribute(oids::MESSAGE_DIGEST, &der::octets(digest)),
        &attribute(oids::SIGNING_CERTIFICATE_V2, &signing_certificate),
    ])
}

/// A detached CMS SignedData over content whose SHA-256 is `digest`.
pub fn signed_data(digest: &[u8], key: &Key) -> Result<Vec<u8>, String> {
    let leaf = parse_cert(&key.chain[0]).ok_or("the certificate cannot be read")?;
    let attrs = signed_attributes(digest, leaf.der);
    let signature = key.sign(&attrs)?;
    let signature_algorithm = match key.kind {
        KeyKind::Ecdsa(_) => der::seq(&[&der::oid(oids::ECDSA_SHA256)]),
        KeyKind::Rsa(_) => der::seq(&[&der::oid(oids::RSA_SHA256), &der::null()]),
    };
    let mut implicit_attrs = attrs;
    implicit_attrs[0] = 0xa0;
    let signer_info = der::seq(&[
        &der::int(1),
        &der::seq(&[leaf.issuer, leaf.serial]),
        &sha256_algorithm(),
        &implicit_attrs,
        &signature_algorithm,
        &der::octets(&signature),
    ]);
    let certificates = der::tlv(0xa0, &key.chain.concat());
    let signed = der::seq(&[
        &der::int(1),
        &der::set_of(&[&sha256_algorithm()]),
        &der::seq(&[&der::oid(oids::DATA)]),
        &certificates,
        &der::set_of(&[&signer_info]),
    ]);
    Ok(der::seq(&[
        &der::oid(oids::SIGNED_DATA),
        &der::tlv(0xa0, &signed),
    ]))
}

/// What a verified CMS signature says of its signer.
pub struct Verified {
    /// The signer's certificate, whole.
    pub certificate: Vec<u8>,
    /// Every certificate the message carries.
    pub chain: Vec<Vec<u8>>,
}

/// Checks a detached CMS SignedData against the SHA-256 of its content.
pub fn verify(message: &[u8], digest: &[u8]) -> Result<Verified, String> {
    let bad = || "the signature is not a CMS SignedData message".to_string();
    let (info, _) = der::read(message).ok_or_else(bad)?;
    let info = der::children(info.content).ok_or_else(bad)?;
    if info.first().map(|e| e.whole) != Some(der::oid(oids::SIGNED_DATA).as_slice()) {
        return Err(bad());
    }
    let (signed, _) = der::read(info.get(1).ok_or_else(bad)?.content).ok_or_else(bad)?;
    let fields = der::children(signed.content).ok_or_else(bad)?;
    let chain: Vec<Vec<u8>> = fields
        .iter()
        .find(|e| e.tag == 0xa0)
        .and_then(|e| der::children(e.content))
        .unwrap_or_default()
        .iter()
        .map(|c| c.whole.to_vec())
        .collect();
    let signers = der::children(fields.last().ok_or_else(bad)?.content).ok_or_else(bad)?;
    let signer = der::children(signers.first().ok_or_else(bad)?.content).ok_or_else(bad)?;
    check_signer(&signer, &chain, digest).map(|certificate| Verified { certificate, chain })
}

fn check_signer(
    signer: &[Element<'_>],
    chain: &[Vec<u8>],
    digest: &[u8],
) -> Result<Vec<u8>, String> {
    let bad = || "the signer's information cannot be read".to_string();
    let sid = der::children(signer.get(1).ok_or_else(bad)?.content).ok_or_else(bad)?;
    let cert = chain
        .iter()
        .filter_map(|c| parse_cert(c))
        .find(|c| {
            Some(c.issuer) == sid.first().map(|e| e.whole)
                && Some(c.serial) == sid.get(1).map(|e| e.whole)
        })
        .ok_or("the message does not carry the signer's certificate")?;
    let attrs = signer
        .get(3)
        .filter(|e| e.tag == 0xa0)
        .ok_or("the signature has no signed attributes")?;
    let wanted = der::octets(digest);
    let digest_attr = der::oid(oids::MESSAGE_DIGEST);
    let matches = der::children(attrs.content)
        .ok_or_else(bad)?
        .iter()
        .filter_map(|a| der::children(a.content))
        .find(|a| a.first().map(|e| e.whole) == Some(digest_attr.as_slice()))
        .and_then(|a| a.get(1).and_then(|s| der::children(s.content)))
        .is_some_and(|values| values.first().map(|v| v.whole) == Some(wanted.as_slice()));
    if !matches {
        return Err(
            "the document's digest differs from the signed one: it was changed after signing"
                .into(),
        );
    }
    let mut signed_attrs = attrs.whole.to_vec();
    signed_attrs[0] = 0x31;
    let signature = signer.get(5).ok_or_else(bad)?.content;
    if !super::check_signature(cert.key_algorithm, cert.key, &signed_attrs, signature) {
        return Err("the signature does not match the signer's key".into());
    }
    Ok(cert.der.to_vec())
}
