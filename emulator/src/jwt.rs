//! Minimal HS256 JWTs, shaped like the ones djangorestframework-jwt issues.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Sign `claims` (a JSON object) with HS256.
pub(crate) fn sign(secret: &[u8], claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signing_input = format!("{header}.{payload}");
    let sig = mac(secret, signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn mac(secret: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length.
    let mut m = match HmacSha256::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any size"),
    };
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// Why a JWT was rejected before looking at its claims' meaning.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum JwtError {
    /// Not three base64url parts, not JSON, wrong algorithm, or a bad signature
    /// (PyJWT's `DecodeError`, which rest_framework_jwt reports as "Error decoding signature.").
    Decode,
}

/// Check the structure and signature, and return the claims.
pub(crate) fn verify(secret: &[u8], token: &str) -> Result<Value, JwtError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Decode);
    };
    let header = URL_SAFE_NO_PAD.decode(h).map_err(|_| JwtError::Decode)?;
    let header: Value = serde_json::from_slice(&header).map_err(|_| JwtError::Decode)?;
    if header.get("alg").and_then(Value::as_str) != Some("HS256") {
        return Err(JwtError::Decode);
    }
    let payload = URL_SAFE_NO_PAD.decode(p).map_err(|_| JwtError::Decode)?;
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| JwtError::Decode)?;
    let mut m = HmacSha256::new_from_slice(secret).map_err(|_| JwtError::Decode)?;
    m.update(h.as_bytes());
    m.update(b".");
    m.update(p.as_bytes());
    m.verify_slice(&sig).map_err(|_| JwtError::Decode)?;
    let claims: Value = serde_json::from_slice(&payload).map_err(|_| JwtError::Decode)?;
    if !claims.is_object() {
        return Err(JwtError::Decode);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_and_forgery() {
        let t = sign(b"k", &json!({"username": "a", "exp": 1}));
        assert_eq!(verify(b"k", &t).unwrap()["username"], "a");
        assert_eq!(verify(b"other", &t), Err(JwtError::Decode));
        assert_eq!(verify(b"k", "abc"), Err(JwtError::Decode));
        let mut forged = t.clone();
        forged.push('A');
        assert_eq!(verify(b"k", &forged), Err(JwtError::Decode));
    }
}
