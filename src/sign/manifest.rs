//! A manifest of written files: `SHA256SUMS` in the format `sha256sum -c`
//! reads, and its detached CMS signature `SHA256SUMS.p7s`, which
//! `openssl cms -verify -binary -inform DER -content SHA256SUMS` checks.
