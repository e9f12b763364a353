//! Smartsupp webhook events at `sshook serve`: which bodies are events, their signature
//! (`X-Smartsupp-Hmac`: lowercase hex HMAC-SHA256 of the raw body under the shared secret,
//! compared in constant time), and the minimal envelope a stored event needs (its file name is [`crate::dumps::event_file`]).

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use serde::Deserialize;
use sha2::Sha256;

/// The header that carries an event's signature.
pub const SIGNATURE_HEADER: &str = "x-smartsupp-hmac";

/// HMAC-SHA256 under the webhook secret, fed with the body as it arrives.
pub type Signer = Hmac<Sha256>;

/// A signer keyed with `secret`.
pub fn signer(secret: &str) -> Signer {
    // HMAC takes keys of any length: this never fails.
    <Signer as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"))
}

/// Whether `signature` (hex, optionally after `sha256=`) is the signer's HMAC of what it was
/// fed. Constant time in the comparison of the digests.
pub fn signature_matches(signer: Signer, signature: &[u8]) -> bool {
    let text = signature.trim_ascii();
    let text = text.strip_prefix(b"sha256=").unwrap_or(text);
    match decode_hex(text) {
        Some(bytes) => signer.verify_slice(&bytes).is_ok(),
        None => false,
    }
}

fn decode_hex(text: &[u8]) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    text.chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// Whether a body is a webhook event rather than a POST-hook payload: its top-level object has
/// an `"event"` key. (A request with the signature header is an event whatever its body.)
pub fn looks_like_event(body: &[u8]) -> bool {
    if memchr::memmem::find(body, b"\"event\"").is_none() {
        return false;
    }
    #[derive(Deserialize)]
    struct Keys {
        event: Option<serde::de::IgnoredAny>,
    }
    let text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    serde_json::from_slice::<Keys>(text).is_ok_and(|keys| keys.event.is_some())
}

/// What `serve` needs of an event to store it: its name, and its time when it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub event: String,
    pub timestamp: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENT: &str = r#"{"type":"event_callback","event":"conversation.closed","timestamp":"2020-08-08T07:53:18.825Z","account_id":"881987","data":{"conversation":{"id":"x"}}}"#;

    fn sign(secret: &str, body: &[u8]) -> String {
        let mut s = signer(secret);
        s.update(body);
        s.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    #[test]
    fn signatures() {
        let good = sign("k", EVENT.as_bytes());
        let check = |sig: &str| {
            let mut s = signer("k");
            s.update(EVENT.as_bytes());
            signature_matches(s, sig.as_bytes())
        };
        assert!(check(&good));
        assert!(check(&format!("sha256={good}")));
        assert!(check(&good.to_uppercase()));
        assert!(!check(&sign("other", EVENT.as_bytes())));
        assert!(!check(""));
        assert!(!check("zz"));
        assert!(!check(&good[..62]));
    }

    #[test]
    fn events_are_told_from_payloads() {
        assert!(looks_like_event(EVENT.as_bytes()));
        assert!(!looks_like_event(
            br#"{"beginAt":1,"messages":[{"event":1}]}"#
        ));
        assert!(!looks_like_event(b"{\"event\""));
    }
}
