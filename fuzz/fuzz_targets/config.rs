//! The configuration document, as every binding passes it: any text is accepted or refused
//! with `InvalidConfig`, never a panic; an accepted document resolves to a profile and a cache
//! identity; the password never appears in an error message or in `Debug` output.
#![no_main]

use authtoken::{fuzzing, Config, ErrorKind};
use authtoken_fuzz::SENTINEL_PASSWORD;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    authtoken_fuzz::no_network();
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Config::from_json(text) {
        Ok(config) => accepted(&config, None),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::InvalidConfig, "{e}");
            if !text.contains(SENTINEL_PASSWORD) {
                authtoken_fuzz::check_error(&e, &[SENTINEL_PASSWORD]);
            }
        }
    }
    // The same document with the sentinel password, when nothing else in it holds the
    // sentinel (a username equal to it would rightly be shown).
    if text.contains(SENTINEL_PASSWORD) {
        return;
    }
    if let Ok(Value::Object(mut doc)) = serde_json::from_str::<Value>(text) {
        doc.insert("password".into(), Value::String(SENTINEL_PASSWORD.into()));
        match Config::from_value(&Value::Object(doc)) {
            Ok(config) => accepted(&config, Some(SENTINEL_PASSWORD)),
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::InvalidConfig, "{e}");
                authtoken_fuzz::check_error(&e, &[SENTINEL_PASSWORD]);
            }
        }
    }
});

fn accepted(config: &Config, password: Option<&str>) {
    let (base_url, id) =
        fuzzing::resolve(config).expect("a validated config resolves to a profile");
    let url = url::Url::parse(&base_url).expect("the resolved base URL parses");
    assert!(matches!(url.scheme(), "http" | "https"), "{base_url}");
    assert!(
        url.host().is_some() && url.query().is_none() && url.fragment().is_none(),
        "{base_url}"
    );
    assert!(
        url.username().is_empty() && url.password().is_none(),
        "credentials in {base_url}"
    );
    assert_eq!(id.len(), 64);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    let shown = format!("{config:?} {:?}", config.cache());
    if let Some(p) = password {
        assert!(!shown.contains(p), "password in Debug: {shown}");
    }
}
