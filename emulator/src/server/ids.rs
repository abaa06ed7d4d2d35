//! Identifiers derived from a username: stable UUIDs (CruxConnect) and user ids (Testpress),
//! the same for the same username in every emulator run.

use sha2::{Digest, Sha256};

/// Stable pseudo-random bytes derived from a username.
fn derive(kind: &str, username: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(kind.as_bytes());
    h.update([0]);
    h.update(username.as_bytes());
    h.finalize().into()
}

pub(super) fn derived_uuid(kind: &str, username: &str) -> String {
    let mut b = derive(kind, username);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b[..16].iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

pub(super) fn testpress_user_id(username: &str) -> u64 {
    let b = derive("user_id", username);
    u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) % 1_000_000) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_stable() {
        assert_eq!(derived_uuid("org", "a"), derived_uuid("org", "a"));
        assert_ne!(derived_uuid("org", "a"), derived_uuid("org", "b"));
        assert_eq!(derived_uuid("org", "a").len(), 36);
    }
}
