//! The algorithms, national (国密: SM2, SM3, SM4 — GB/T 32918, 32905, 32907) and international
//! (Ed25519, SHA-256, ChaCha20-Poly1305) side by side, so a deployment that a 密评 (GB/T
//! 39786-2021) assessment asks for national cryptography switches by configuration:
//! - digests for session tokens and the audit chain: [`Hash`] (`hash = "sm3"`), each stored
//!   digest tagged with its algorithm where both may meet;
//! - e-licence signatures: [`Signer`] — a department's key is Ed25519 or SM2 (with SM3 and the
//!   standard's default distinguishing ID); both always verify;
//! - ID numbers at rest: ChaCha20-Poly1305 or SM4-GCM (`vault_cipher = "sm4-gcm"`), see
//!   [`crate::vault`]; both always open.
//!
//! The primitives are RustCrypto's (`sm2`, `sm3`, `sm4` with the generic GCM of `aes-gcm`,
//! `ed25519-dalek`, `sha2`); this module only chooses between them. Tested against the
//! standards' published vectors and against OpenSSL.

use std::sync::OnceLock;

use ed25519_dalek::Signer as _;
use rand::RngCore;

/// A digest algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Hash {
    #[default]
    Sha256,
    Sm3,
}

impl Hash {
    pub fn parse(s: &str) -> Option<Hash> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sha256" | "sha-256" => Some(Hash::Sha256),
            "sm3" => Some(Hash::Sm3),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Hash::Sha256 => "sha256",
            Hash::Sm3 => "sm3",
        }
    }

    /// The digest of `bytes`, hex.
    pub fn hex(self, bytes: &[u8]) -> String {
        match self {
            Hash::Sha256 => {
                use sha2::Digest;
                hex::encode(sha2::Sha256::digest(bytes))
            }
            Hash::Sm3 => {
                use sm3::Digest;
                hex::encode(sm3::Sm3::digest(bytes))
            }
        }
    }

    /// `name:hex`, so a stored digest says how to check it.
    pub fn tagged(self, bytes: &[u8]) -> String {
        format!("{}:{}", self.name(), self.hex(bytes))
    }
}

static HASH: OnceLock<Hash> = OnceLock::new();

/// Chooses the process's digest (once, at start-up; later calls are ignored).
pub fn configure(hash: Hash) {
    let _ = HASH.set(hash);
}

/// The configured digest (SHA-256 unless configured).
pub fn hash() -> Hash {
    HASH.get().copied().unwrap_or_default()
}

/// Checks a digest written by [`Hash::tagged`] (an untagged one is taken as SHA-256 hex).
pub fn check_tagged(tagged: &str, bytes: &[u8]) -> bool {
    let (alg, hex_digest) = match tagged.split_once(':') {
        Some((a, h)) => match Hash::parse(a) {
            Some(a) => (a, h),
            None => return false,
        },
        None => (Hash::Sha256, tagged),
    };
    alg.hex(bytes) == hex_digest
}

/// The distinguishing identifier SM2 signatures use unless told otherwise (GB/T 35276).
pub const SM2_DEFAULT_ID: &str = "1234567812345678";

/// A signing key of either kind.
pub enum Signer {
    Ed25519(Box<ed25519_dalek::SigningKey>),
    Sm2(Box<sm2::dsa::SigningKey>),
}

/// Signature algorithms for e-licences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignAlg {
    Ed25519,
    Sm2,
}

impl SignAlg {
    pub fn parse(s: &str) -> Option<SignAlg> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ed25519" => Some(SignAlg::Ed25519),
            "sm2" => Some(SignAlg::Sm2),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SignAlg::Ed25519 => "ed25519",
            SignAlg::Sm2 => "sm2",
        }
    }
}

fn sm2_key(secret: &[u8]) -> Option<sm2::dsa::SigningKey> {
    sm2::dsa::SigningKey::from_slice(SM2_DEFAULT_ID, secret).ok()
}

impl Signer {
    pub fn generate(alg: SignAlg) -> Signer {
        match alg {
            SignAlg::Ed25519 => {
                let mut seed = [0u8; 32];
                rand::rng().fill_bytes(&mut seed);
                Signer::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(&seed)))
            }
            SignAlg::Sm2 => loop {
                // A random scalar; the rare one out of range is drawn again.
                let mut seed = [0u8; 32];
                rand::rng().fill_bytes(&mut seed);
                if let Some(k) = sm2_key(&seed) {
                    break Signer::Sm2(Box::new(k));
                }
            },
        }
    }

    pub fn alg(&self) -> SignAlg {
        match self {
            Signer::Ed25519(_) => SignAlg::Ed25519,
            Signer::Sm2(_) => SignAlg::Sm2,
        }
    }

    /// The secret as stored (sealed by the caller): hex, `sm2:`-prefixed for SM2.
    pub fn secret_text(&self) -> String {
        match self {
            Signer::Ed25519(k) => hex::encode(k.to_bytes()),
            Signer::Sm2(k) => format!("sm2:{}", hex::encode(k.to_bytes())),
        }
    }

    /// Reads [`Signer::secret_text`] back.
    pub fn from_secret_text(text: &str) -> Option<Signer> {
        match text.strip_prefix("sm2:") {
            Some(h) => sm2_key(&hex::decode(h).ok()?).map(|k| Signer::Sm2(Box::new(k))),
            None => {
                let b: [u8; 32] = hex::decode(text).ok()?.try_into().ok()?;
                Some(Signer::Ed25519(Box::new(
                    ed25519_dalek::SigningKey::from_bytes(&b),
                )))
            }
        }
    }

    /// The public key as published: Ed25519 as 64 hex digits; SM2 as `sm2:` + the uncompressed
    /// SEC1 point in hex.
    pub fn public_text(&self) -> String {
        match self {
            Signer::Ed25519(k) => hex::encode(k.verifying_key().to_bytes()),
            Signer::Sm2(k) => format!("sm2:{}", hex::encode(k.verifying_key().to_sec1_bytes())),
        }
    }

    /// The signature of `msg`, hex (64 bytes either way; SM2 as r ‖ s).
    pub fn sign_hex(&self, msg: &[u8]) -> String {
        match self {
            Signer::Ed25519(k) => hex::encode(k.sign(msg).to_bytes()),
            Signer::Sm2(k) => {
                use sm2::dsa::signature::Signer as _;
                let sig: sm2::dsa::Signature = k.sign(msg);
                hex::encode(sig.to_bytes())
            }
        }
    }
}

/// Whether `sig_hex` signs `msg` under the published key `public` (either kind).
pub fn verify(public: &str, msg: &[u8], sig_hex: &str) -> bool {
    let Ok(sig) = hex::decode(sig_hex) else {
        return false;
    };
    match public.strip_prefix("sm2:") {
        Some(point) => {
            use sm2::dsa::signature::Verifier as _;
            let Some(key) = hex::decode(point)
                .ok()
                .and_then(|p| sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DEFAULT_ID, &p).ok())
            else {
                return false;
            };
            let Ok(sig) = sm2::dsa::Signature::try_from(sig.as_slice()) else {
                return false;
            };
            key.verify(msg, &sig).is_ok()
        }
        None => {
            use ed25519_dalek::Verifier as _;
            let Some(key) = hex::decode(public)
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .and_then(|b| ed25519_dalek::VerifyingKey::from_bytes(&b).ok())
            else {
                return false;
            };
            let Ok(sig) = <[u8; 64]>::try_from(sig.as_slice()) else {
                return false;
            };
            key.verify(msg, &ed25519_dalek::Signature::from_bytes(&sig))
                .is_ok()
        }
    }
}

/// SM4-GCM sealing (GB/T 32907 block cipher in GCM mode, 12-byte nonce, 16-byte tag).
pub type Sm4Gcm = aes_gcm::AesGcm<sm4::Sm4, aes_gcm::aead::consts::U12>;

/// `plain` sealed with SM4-GCM under `key` and `nonce` (ciphertext ‖ tag).
pub fn sm4_gcm_seal(key: &[u8; 16], nonce: &[u8; 12], plain: &[u8]) -> Vec<u8> {
    use aes_gcm::aead::{Aead, KeyInit};
    Sm4Gcm::new(&(*key).into())
        .encrypt(&aes_gcm::Nonce::from(*nonce), plain)
        .expect("sealing cannot fail")
}

/// Opens what [`sm4_gcm_seal`] sealed; `None` when any byte was changed or the key is wrong.
pub fn sm4_gcm_open(key: &[u8; 16], nonce: &[u8; 12], sealed: &[u8]) -> Option<Vec<u8>> {
    use aes_gcm::aead::{Aead, KeyInit};
    Sm4Gcm::new(&(*key).into())
        .decrypt(&aes_gcm::Nonce::from(*nonce), sealed)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sm3_matches_the_standards_examples() {
        // GB/T 32905-2016, Appendix A: "abc" and "abcd" sixteen times.
        assert_eq!(
            Hash::Sm3.hex(b"abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_eq!(
            Hash::Sm3.hex("abcd".repeat(16).as_bytes()),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
        );
        assert!(check_tagged(&Hash::Sm3.tagged(b"x"), b"x"));
        assert!(!check_tagged(&Hash::Sm3.tagged(b"x"), b"y"));
        assert!(check_tagged(&Hash::Sha256.hex(b"x"), b"x"));
    }

    #[test]
    fn sm4_matches_the_standards_example() {
        use sm4::cipher::{BlockCipherEncrypt, KeyInit};
        // GB/T 32907-2016, Appendix A, example 1: key = plaintext = 0123456789abcdeffedcba9876543210.
        let key = hex::decode("0123456789abcdeffedcba9876543210").unwrap();
        let cipher = sm4::Sm4::new_from_slice(&key).unwrap();
        let mut block = sm4::cipher::Block::<sm4::Sm4>::try_from(key.as_slice()).unwrap();
        cipher.encrypt_block(&mut block);
        assert_eq!(hex::encode(block), "681edf34d206965e86b3e94f536e4246");
    }

    #[test]
    fn sm4_gcm_seals_and_refuses_a_changed_byte() {
        use aes_gcm::aead::{Aead, KeyInit};
        let c = Sm4Gcm::new_from_slice(&[7u8; 16]).unwrap();
        let nonce = aes_gcm::Nonce::<aes_gcm::aead::consts::U12>::from([1u8; 12]);
        let mut sealed = c.encrypt(&nonce, &b"44030919900101123X"[..]).unwrap();
        assert_eq!(
            c.decrypt(&nonce, sealed.as_slice()).unwrap(),
            b"44030919900101123X"
        );
        sealed[0] ^= 1;
        assert!(c.decrypt(&nonce, sealed.as_slice()).is_err());
    }

    #[test]
    fn an_sm2_signature_made_by_openssl_verifies_here() {
        // Made with OpenSSL 3 (`openssl dgst -sm3 -sign k.pem -sigopt distid:1234567812345678`):
        // the public key's SEC1 point, and the DER signature's r and s.
        let public = "sm2:045d1e450c2c0c333b9e6161b84e6924023520e02fbaa00a66c63b01ba45f33639ace0283a97a32b93eb77949bbaa8d4cfa5b42c4643823f1da6ebd0ba4484031b";
        let r = "084ef84045aade7a5f4203f88e58ce5f8063907f76ed880b0e25c12273782e5c";
        let s = "07566efd333445ddd94d696f07ef697a4ea4ac5818d796ce2b58db4312e68df6";
        let msg = b"zhengwu-licence-v2 test vector";
        assert!(verify(public, msg, &format!("{r}{s}")));
        assert!(!verify(
            public,
            b"zhengwu-licence-v2 test vectoR",
            &format!("{r}{s}")
        ));
    }

    #[test]
    fn both_kinds_of_key_sign_store_and_verify() {
        for alg in [SignAlg::Ed25519, SignAlg::Sm2] {
            let k = Signer::generate(alg);
            let back = Signer::from_secret_text(&k.secret_text()).unwrap();
            assert_eq!(back.public_text(), k.public_text());
            let sig = back.sign_hex(b"licence");
            assert_eq!(sig.len(), 128);
            assert!(verify(&k.public_text(), b"licence", &sig), "{alg:?}");
            assert!(!verify(&k.public_text(), b"licencE", &sig), "{alg:?}");
            let other = Signer::generate(alg);
            assert!(!verify(&other.public_text(), b"licence", &sig));
        }
        // An SM2 signature never passes as Ed25519 nor the reverse.
        let sm2 = Signer::generate(SignAlg::Sm2);
        let ed = Signer::generate(SignAlg::Ed25519);
        assert!(!verify(&ed.public_text(), b"x", &sm2.sign_hex(b"x")));
        assert!(!verify(&sm2.public_text(), b"x", &ed.sign_hex(b"x")));
    }
}
