//! E-licences (电子证照): what a finished approval issues — number, holder, matter, content
//! fields, validity, issuing department — signed with the department's key (Ed25519 or SM2 with SM3).
//!
//! The signature covers a canonical text of the licence ([`Licence::payload`]). What a licence
//! says is what anyone shown it may read: its content is only the fields the matter's licence
//! template names ([`crate::catalog::Matter::licence_fields`], never an ID number, phone, e-mail,
//! file or table), and the holder's ID number is in it only as a keyed binding
//! ([`crate::vault::holder_binding`]) that the platform can confirm for someone who is shown the
//! ID, but that cannot be searched offline for the number. The public check answers the minimum
//! a verifier needs — type, number, holder's name masked (张*明; a company's name in full),
//! issuer, validity, status — and only to someone who has the licence's random verification code
//! (printed with its QR code), so sequential numbers cannot be walked. Keys are generated and
//! kept by the platform per department ([`keys`]); rotating retires a key without deleting it, so
//! what it signed still verifies. Verification ([`repo::verify_document`]) answers valid,
//! expired, revoked (with the reason) or tampered. Licences issued before these rules are
//! re-issued under them once ([`repo::reissue_old`]): same number and validity, recorded.

pub mod keys;
pub mod repo;

use rand::Rng;

use crate::crypto::Signer;
use serde::{Deserialize, Serialize};

pub use repo::{Issue, issue, revoke, status, verify_document};

/// A licence as its holder and its issuer see, export and present it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Licence {
    pub number: String,
    /// The random code that, with the number, opens the public check (not signed: it can be
    /// changed without re-signing).
    #[serde(default)]
    pub verify_code: String,
    pub matter_code: String,
    pub matter_name: String,
    pub holder_name: String,
    /// E.g. `440306********123X` (not signed; shown for the holder's convenience).
    pub holder_id_masked: String,
    /// The keyed binding of the holder's ID number to this licence, as signed.
    pub holder_binding: String,
    /// The licence's own fields by label (e.g. 许可范围), as the matter's licence template names.
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
    /// The department key's signature (hex; Ed25519, or SM2 r ‖ s) over [`Licence::payload`].
    pub signature: String,
}

/// Characters of verification codes: no 0/O, 1/I/L to misread.
const CODE_CHARS: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A fresh verification code: 10 characters, about 49 bits.
pub fn new_verify_code() -> String {
    let mut rng = rand::rng();
    (0..10)
        .map(|_| CODE_CHARS[rng.random_range(0..CODE_CHARS.len())] as char)
        .collect()
}

/// The address of a licence's public check, as its QR code holds it.
pub fn check_url(base: &str, number: &str, code: &str) -> String {
    format!("{base}/verify/{number}?code={code}")
}

/// A holder's name as the public check shows it: a person's with all but the first and last
/// characters hidden (张*明, 张*), a company's in full (it is public in the business register).
pub fn mask_name(name: &str, is_person: bool) -> String {
    if !is_person {
        return name.to_string();
    }
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

impl Licence {
    /// The canonical text the signature covers: one `name=value` per line, fixed order, each
    /// value with its backslashes and line breaks escaped (so no value can pose as another
    /// field's line), the content as JSON with its keys sorted.
    pub fn payload(&self) -> String {
        fn esc(s: &str) -> String {
            s.replace('\\', "\\\\")
                .replace('\n', "\\n")
                .replace('\r', "\\r")
        }
        format!(
            "zhengwu-licence-v2\nnumber={}\nmatter={}\nmatter_name={}\nholder={}\nholder_binding={}\n\
             content={}\nunit={}\nissued_at={}\nvalid_from={}\nvalid_until={}\nkey={}\n",
            esc(&self.number),
            esc(&self.matter_code),
            esc(&self.matter_name),
            esc(&self.holder_name),
            esc(&self.holder_binding),
            serde_json::to_string(&self.content).unwrap_or_default(),
            esc(&self.unit_name),
            esc(&self.issued_at),
            esc(&self.valid_from),
            esc(&self.valid_until),
            self.key_id,
        )
    }

    /// Signs with the department's key (Ed25519 or SM2).
    pub fn sign(&mut self, key: &Signer) {
        self.signature = key.sign_hex(self.payload().as_bytes());
    }

    /// Whether the signature matches the fields under the published key `public` (Ed25519 hex,
    /// or `sm2:` + SEC1 hex).
    pub fn verifies(&self, public: &str) -> bool {
        crate::crypto::verify(public, self.payload().as_bytes(), &self.signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_are_masked_for_people_only() {
        assert_eq!(mask_name("张小明", true), "张*明");
        assert_eq!(mask_name("张三", true), "张*");
        assert_eq!(mask_name("欧阳小明", true), "欧**明");
        assert_eq!(
            mask_name("深圳市清泉水务有限公司", false),
            "深圳市清泉水务有限公司"
        );
        let code = new_verify_code();
        assert_eq!(code.len(), 10);
        assert_ne!(code, new_verify_code());
    }

    fn sample() -> Licence {
        Licence {
            number: "440309-D02-2026-000001".into(),
            matter_code: "440309002004000".into(),
            matter_name: "饮用水供水单位卫生许可".into(),
            holder_name: "深圳市龙华区清泉水务有限公司".into(),
            verify_code: new_verify_code(),
            holder_id_masked: "91440300********2X".into(),
            holder_binding: crate::vault::holder_binding(
                "440309-D02-2026-000001",
                "91440300MA5F000002",
            ),
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
        let key = Signer::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(&[7u8; 32])));
        let public = key.public_text();
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
        // A line break cannot move text from one field into the next.
        let mut a = l.clone();
        a.holder_name = "张三\nholder_binding=x".into();
        a.holder_binding = "y".into();
        let mut b = l.clone();
        b.holder_name = "张三".into();
        b.holder_binding = "x\nholder_binding=y".into();
        assert_ne!(a.payload(), b.payload());
        let mut changed = l.clone();
        changed.holder_binding = crate::vault::holder_binding(&l.number, "11010519491231002X");
        assert!(!changed.verifies(&public));
        // The verification code is not signed: a new one does not break the licence.
        let mut recoded = l.clone();
        recoded.verify_code = new_verify_code();
        assert!(recoded.verifies(&public));
        let other = Signer::generate(crate::crypto::SignAlg::Ed25519);
        assert!(!l.verifies(&other.public_text()));
        // Signed with SM2 (GB/T 32918), the same licence verifies under the SM2 key only.
        let sm2 = Signer::generate(crate::crypto::SignAlg::Sm2);
        let mut l2 = l.clone();
        l2.sign(&sm2);
        assert!(l2.verifies(&sm2.public_text()));
        assert!(!l2.verifies(&public));
        l2.holder_name.push('X');
        assert!(!l2.verifies(&sm2.public_text()));
    }
}
