//! E-licences (电子证照): what a finished approval issues — number, holder, matter, content
//! fields, validity, issuing department — signed with the department's Ed25519 key.
//!
//! The signature covers a canonical text of the licence ([`Licence::payload`]). The holder's ID
//! number is not in it as such but as its SHA-256, so a licence document can be shown, exported
//! and verified with the number masked. Keys are generated and kept by the platform per
//! department ([`keys`]); rotating retires a key without deleting it, so what it signed still
//! verifies. Verification ([`repo::verify`]) answers valid, expired, revoked (with the reason) or
//! tampered — a document whose fields no longer match the signature.

pub mod keys;
pub mod repo;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use repo::{Issue, issue, revoke, status, verify_document};

/// A licence as shown, exported and verified: the holder's ID masked, its digest signed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Licence {
    pub number: String,
    pub matter_code: String,
    pub matter_name: String,
    pub holder_name: String,
    /// E.g. `440306********123X`.
    pub holder_id_masked: String,
    /// SHA-256 (hex) of the holder's ID number, as signed.
    pub holder_id_sha256: String,
    /// The licence's own fields (e.g. 许可范围), as the matter defines them.
    #[schema(value_type = Object)]
    pub content: serde_json::Value,
    pub unit_name: String,
    /// When it was issued (stored UTC text).
    pub issued_at: String,
    /// First and last day of validity (`YYYY-MM-DD`, China time).
    pub valid_from: String,
    pub valid_until: String,
    /// Which of the department's keys signed it.
    pub key_id: i64,
    /// Ed25519 signature (hex) over [`Licence::payload`].
    pub signature: String,
}

/// The ID number's digest as it is signed.
pub fn id_digest(id: &str) -> String {
    hex::encode(Sha256::digest(id.trim().to_ascii_uppercase().as_bytes()))
}

impl Licence {
    /// The canonical text the signature covers: one `name=value` per line, fixed order, the
    /// content as JSON with its keys sorted.
    pub fn payload(&self) -> String {
        format!(
            "zhengwu-licence-v1\nnumber={}\nmatter={}\nmatter_name={}\nholder={}\nholder_id_sha256={}\n\
             content={}\nunit={}\nissued_at={}\nvalid_from={}\nvalid_until={}\nkey={}\n",
            self.number,
            self.matter_code,
            self.matter_name,
            self.holder_name,
            self.holder_id_sha256,
            serde_json::to_string(&self.content).unwrap_or_default(),
            self.unit_name,
            self.issued_at,
            self.valid_from,
            self.valid_until,
            self.key_id,
        )
    }

    pub fn sign(&mut self, key: &SigningKey) {
        self.signature = hex::encode(key.sign(self.payload().as_bytes()).to_bytes());
    }

    /// Whether the signature matches the fields under `public` (hex).
    pub fn verifies(&self, public: &str) -> bool {
        let Some(key) = hex::decode(public)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .and_then(|b| VerifyingKey::from_bytes(&b).ok())
        else {
            return false;
        };
        let Some(sig) = hex::decode(&self.signature)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
            .map(|b| Signature::from_bytes(&b))
        else {
            return false;
        };
        key.verify(self.payload().as_bytes(), &sig).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Licence {
        Licence {
            number: "440309-D02-2026-000001".into(),
            matter_code: "440309002004000".into(),
            matter_name: "饮用水供水单位卫生许可".into(),
            holder_name: "深圳市龙华区清泉水务有限公司".into(),
            holder_id_masked: "91440300********2X".into(),
            holder_id_sha256: id_digest("91440300MA5F000002"),
            content: json!({"许可范围": "集中式供水", "地址": "龙华区民治街道"}),
            unit_name: "区卫生健康局".into(),
            issued_at: "2026-11-28T02:00:00.000000Z".into(),
            valid_from: "2026-11-28".into(),
            valid_until: "2030-11-27".into(),
            key_id: 1,
            signature: String::new(),
        }
    }

    #[test]
    fn a_signed_licence_verifies_and_one_changed_byte_does_not() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let public = hex::encode(key.verifying_key().to_bytes());
        let mut l = sample();
        l.sign(&key);
        assert!(l.verifies(&public));
        let mut changed = l.clone();
        changed.holder_name.push('X');
        assert!(!changed.verifies(&public));
        let mut changed = l.clone();
        changed.content["许可范围"] = json!("集中式供水、二次供水");
        assert!(!changed.verifies(&public));
        let mut changed = l.clone();
        changed.valid_until = "2035-11-27".into();
        assert!(!changed.verifies(&public));
        let other = SigningKey::from_bytes(&[8u8; 32]);
        assert!(!l.verifies(&hex::encode(other.verifying_key().to_bytes())));
    }
}
