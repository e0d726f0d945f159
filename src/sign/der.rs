//! The little DER that CMS signatures need: writing the structures of RFC 5652
//! and reading the fields of an X.509 certificate and a CMS message.

/// One DER element read from bytes: its tag, its content and its whole encoding.
#[derive(Clone, Copy, Debug)]
pub struct Element<'a> {
    /// The identifier octet (only low-tag-number form is read).
    pub tag: u8,
    /// The content octets.
    pub content: &'a [u8],
    /// Tag, length and content together.
    pub whole: &'a [u8],
}

/// Reads the first element of `bytes`, returning it and what follows it.
pub fn read(bytes: &[u8]) -> Option<(Element<'_>, &[u8])> {
    let tag = *bytes.first()?;
    let first = *bytes.get(1)?;
    let (len, head) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let mut len = 0usize;
        for b in bytes.get(2..2 + count)? {
            len = (len << 8) | usize::from(*b);
        }
        (len, 2 + count)
    };
    let end = head.checked_add(len)?;
    let content = bytes.get(head..end)?;
    Some((
        Element {
            tag,
            content,
            whole: &bytes[..end],
        },
        &bytes[end..],
    ))
}

/// The elements inside a constructed element's content, in order.
pub fn children(content: &[u8]) -> Option<Vec<Element<'_>>> {
    let mut out = Vec::new();
    let mut rest = content;
    while !rest.is_empty() {
        let (e, r) = read(rest)?;
        out.push(e);
        rest = r;
    }
    Some(out)
}

/// Encodes one element of `tag` around `content`.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// A SEQUENCE of already encoded parts.
pub fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// A SET OF already encoded parts, sorted as DER requires.
pub fn set_of(parts: &[&[u8]]) -> Vec<u8> {
    let mut sorted: Vec<&[u8]> = parts.to_vec();
    sorted.sort();
    tlv(0x31, &sorted.concat())
}

/// An OBJECT IDENTIFIER from its arcs.
pub fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut body = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &arc in &arcs[2..] {
        let mut chunk = vec![(arc & 0x7f) as u8];
        let mut rest = arc >> 7;
        while rest > 0 {
            chunk.push(0x80 | (rest & 0x7f) as u8);
            rest >>= 7;
        }
        chunk.reverse();
        body.extend(chunk);
    }
    tlv(0x06, &body)
}

/// A small non-negative INTEGER.
pub fn int(value: u8) -> Vec<u8> {
    tlv(0x02, &[value])
}

/// An OCTET STRING.
pub fn octets(bytes: &[u8]) -> Vec<u8> {
    tlv(0x04, bytes)
}

/// A NULL.
pub fn null() -> Vec<u8> {
    vec![0x05, 0x00]
}

/// The arcs of the object identifiers CMS signatures use.
pub mod oids {
    /// id-data.
    pub const DATA: &[u64] = &[1, 2, 840, 113_549, 1, 7, 1];
    /// id-signedData.
    pub const SIGNED_DATA: &[u64] = &[1, 2, 840, 113_549, 1, 7, 2];
    /// id-contentType.
    pub const CONTENT_TYPE: &[u64] = &[1, 2, 840, 113_549, 1, 9, 3];
    /// id-messageDigest.
    pub const MESSAGE_DIGEST: &[u64] = &[1, 2, 840, 113_549, 1, 9, 4];
    /// id-aa-signingCertificateV2 (ESS, RFC 5035), which PAdES B-B requires.
    pub const SIGNING_CERTIFICATE_V2: &[u64] = &[1, 2, 840, 113_549, 1, 9, 16, 2, 47];
    /// id-sha256.
    pub const SHA256: &[u64] = &[2, 16, 840, 1, 101, 3, 4, 2, 1];
    /// ecdsa-with-SHA256.
    pub const ECDSA_SHA256: &[u64] = &[1, 2, 840, 10_045, 4, 3, 2];
    /// sha256WithRSAEncryption.
    pub const RSA_SHA256: &[u64] = &[1, 2, 840, 113_549, 1, 1, 11];
    /// rsaEncryption (a public key's algorithm).
    pub const RSA: &[u64] = &[1, 2, 840, 113_549, 1, 1, 1];
    /// id-ecPublicKey.
    pub const EC_PUBLIC_KEY: &[u64] = &[1, 2, 840, 10_045, 2, 1];
    /// id-at-commonName.
    pub const COMMON_NAME: &[u64] = &[2, 5, 4, 3];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_oids_are_encoded_as_der_does() {
        assert_eq!(
            oid(oids::SHA256),
            [
                0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01
            ]
        );
        let long = tlv(0x04, &[7; 300]);
        assert_eq!(&long[..4], &[0x04, 0x82, 0x01, 0x2c]);
        let (e, rest) = read(&long).unwrap();
        assert_eq!((e.tag, e.content.len(), rest.len()), (0x04, 300, 0));
        assert_eq!(
            set_of(&[&[0x02, 0x01, 0x02], &[0x02, 0x01, 0x01]]),
            [0x31, 6, 2, 1, 1, 2, 1, 2]
        );
    }
}
