//! Settings: one configuration document (the library's JSON keys) assembled from, in order
//! of precedence, command-line flags, `AUTHTOKEN_*` environment variables, and a named
//! profile of the config file (`$XDG_CONFIG_HOME/authtoken/config.toml`).
//!
//! The password is never part of these settings: see [`crate::session`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value};

/// The environment variable naming the profile (below `--profile`).
pub const ENV_PROFILE: &str = "AUTHTOKEN_PROFILE";
/// The environment variable naming the config file (below `--config`).
pub const ENV_CONFIG: &str = "AUTHTOKEN_CONFIG";

/// How a key's textual value (from a flag or an environment variable) becomes JSON: the
/// library's type of the key (a `Secret` is never accepted from a flag, the environment or the
/// file).
pub type KeyKind = authtoken::KeyType;

/// The kind of a configuration key, `None` for a key the library does not know.
pub fn key_kind(key: &str) -> Option<KeyKind> {
    authtoken::config_key(key).map(authtoken::ConfigKey::value_type)
}

/// The environment variable of a configuration key: `AUTHTOKEN_` and the key in capitals.
pub fn env_name(key: &str) -> String {
    format!("AUTHTOKEN_{}", key.to_ascii_uppercase())
}

/// Where a setting came from, for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    Flag(String),
    /// An environment variable.
    Env(String),
    /// A profile of the config file.
    Profile { name: String, file: PathBuf },
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "flag {flag}"),
            Source::Env(var) => write!(f, "environment variable {var}"),
            Source::Profile { name, file } => write!(f, "profile `{name}` in {}", file.display()),
        }
    }
}

/// A problem with the settings themselves (exit status of `invalid_config`, or usage).
#[derive(Debug, PartialEq, Eq)]
pub enum SettingsError {
    /// A bad command-line argument (exit 2).
    Usage(String),
    /// A bad config file, profile or environment variable.
    Invalid(String),
}

/// The settings given on the command line.
#[derive(Clone, Debug, Default)]
pub struct Flags {
    /// `--profile NAME`.
    pub profile: Option<String>,
    /// `--config FILE`.
    pub config: Option<PathBuf>,
    /// Dedicated flags such as `--username`: (key, flag name, value).
    pub keys: Vec<(&'static str, &'static str, String)>,
    /// `--set KEY=VALUE`, in order.
    pub set: Vec<String>,
}

/// The assembled settings: the configuration document without a password.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// The document, as the library's JSON keys.
    pub doc: Map<String, Value>,
    /// Where each key of `doc` came from.
    pub sources: BTreeMap<String, Source>,
    /// The config file consulted, if there was one.
    pub file: Option<PathBuf>,
    /// The profile used, if any.
    pub profile: Option<String>,
}

impl Settings {
    /// A string setting, if set.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.doc.get(key).and_then(Value::as_str)
    }

    /// Where the settings may be given, for hints in messages.
    pub fn where_to_set(&self) -> String {
        let file = self
            .file
            .as_ref()
            .map(|f| f.display().to_string())
            .unwrap_or_else(|| "~/.config/authtoken/config.toml".into());
        format!("a flag (see `authtoken --help`), an AUTHTOKEN_* variable, or a profile in {file}")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    default_profile: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, toml::Table>,
}

/// The config file to read, and whether it was named explicitly (then it must exist).
pub fn config_path(
    flag: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<(PathBuf, bool)> {
    if let Some(path) = flag {
        return Some((path.to_path_buf(), true));
    }
    if let Some(path) = env(ENV_CONFIG) {
        return Some((PathBuf::from(path), true));
    }
    // XDG: a relative XDG_CONFIG_HOME is invalid and ignored.
    if let Some(dir) = env("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
    {
        return Some((dir.join("authtoken").join("config.toml"), false));
    }
    env("HOME").map(|home| {
        (
            PathBuf::from(home)
                .join(".config")
                .join("authtoken")
                .join("config.toml"),
            false,
        )
    })
}

/// Assembles the settings. `env` reads an environment variable (empty values count as unset).
pub fn load(
    flags: &Flags,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Settings, SettingsError> {
    let env = |name: &str| env(name).filter(|v| !v.is_empty());
    let mut settings = Settings::default();

    // 1. The profile, lowest precedence.
    let requested = flags
        .profile
        .clone()
        .map(|p| (p, "--profile".to_string()))
        .or_else(|| env(ENV_PROFILE).map(|p| (p, ENV_PROFILE.to_string())));
    if let Some((path, explicit)) = config_path(flags.config.as_deref(), &env) {
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let file: FileConfig = toml::from_str(&text).map_err(|e| {
                    SettingsError::Invalid(format!(
                        "config file {} is not valid: {}",
                        path.display(),
                        one_line(e.message())
                    ))
                })?;
                let chosen = requested
                    .clone()
                    .or_else(|| {
                        file.default_profile
                            .clone()
                            .map(|p| (p, "default_profile".into()))
                    })
                    .or_else(|| {
                        file.profiles
                            .contains_key("default")
                            .then(|| ("default".into(), String::new()))
                    });
                if let Some((name, how)) = chosen {
                    let table = file.profiles.get(&name).ok_or_else(|| {
                        let known: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
                        SettingsError::Invalid(format!(
                            "profile `{name}` (from {how}) is not in {}; its profiles: {}",
                            path.display(),
                            if known.is_empty() {
                                "none".to_string()
                            } else {
                                known.join(", ")
                            }
                        ))
                    })?;
                    let source = Source::Profile {
                        name: name.clone(),
                        file: path.clone(),
                    };
                    for (key, value) in table {
                        check_file_key(key, &source)?;
                        settings.doc.insert(key.clone(), toml_to_json(value));
                        settings.sources.insert(key.clone(), source.clone());
                    }
                    settings.profile = Some(name);
                }
                settings.file = Some(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                if let Some((name, how)) = &requested {
                    return Err(SettingsError::Invalid(format!(
                        "profile `{name}` (from {how}) was asked for, but there is no config file at {}",
                        path.display()
                    )));
                }
            }
            Err(e) => {
                return Err(SettingsError::Invalid(format!(
                    "cannot read the config file {}: {e}",
                    path.display()
                )))
            }
        }
    } else if let Some((name, how)) = &requested {
        return Err(SettingsError::Invalid(format!(
            "profile `{name}` (from {how}) was asked for, but neither HOME nor XDG_CONFIG_HOME is set to find the config file; use --config FILE"
        )));
    }

    // 2. Environment variables.
    for key in authtoken::config_keys() {
        if key_kind(key) == Some(KeyKind::Secret) {
            continue; // AUTHTOKEN_PASSWORD is read by the session, never stored here.
        }
        let var = env_name(key);
        if let Some(raw) = env(&var) {
            let value = coerce(key, &raw)
                .map_err(|m| SettingsError::Invalid(format!("environment variable {var}: {m}")))?;
            settings.doc.insert(key.to_string(), value);
            settings.sources.insert(key.to_string(), Source::Env(var));
        }
    }

    // 3. Flags, highest precedence: --set first, then the dedicated flags.
    for pair in &flags.set {
        let (key, raw) = pair.split_once('=').ok_or_else(|| {
            SettingsError::Usage(format!("--set expects KEY=VALUE, got `{}`", shorten(pair)))
        })?;
        let key = key.trim();
        match key_kind(key) {
            None => {
                return Err(SettingsError::Usage(format!(
                    "--set: unknown config key `{}`; the keys are: {}",
                    shorten(key),
                    authtoken::config_keys()
                        .filter(|k| *k != "password")
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
            Some(KeyKind::Secret) => {
                return Err(SettingsError::Usage(password_refusal("--set password=…")))
            }
            Some(_) => {}
        }
        let value = if raw.is_empty() {
            Value::Null // unsets a value of the profile or the environment
        } else {
            coerce(key, raw).map_err(|m| SettingsError::Usage(format!("--set {key}: {m}")))?
        };
        settings.doc.insert(key.to_string(), value);
        settings
            .sources
            .insert(key.to_string(), Source::Flag(format!("--set {key}")));
    }
    for (key, flag, raw) in &flags.keys {
        let value = coerce(key, raw).map_err(|m| SettingsError::Usage(format!("{flag}: {m}")))?;
        settings.doc.insert(key.to_string(), value);
        settings
            .sources
            .insert(key.to_string(), Source::Flag(flag.to_string()));
    }

    // As in the library, AUTHTOKEN_CACHE_DIR is for the file cache: a user who keeps it in
    // the environment can still choose `--cache memory` without an error.
    let uses_dir = match settings.doc.get("cache").and_then(Value::as_str) {
        None | Some("file") => true,
        Some(_) => settings.doc.get("redis_fallback") == Some(&Value::Bool(true)),
    };
    if !uses_dir && matches!(settings.sources.get("cache_dir"), Some(Source::Env(_))) {
        settings.doc.remove("cache_dir");
        settings.sources.remove("cache_dir");
    }
    Ok(settings)
}

/// Why `--password` and its kin are refused, and what to do instead.
pub fn password_refusal(what: &str) -> String {
    format!(
        "{what} is refused: a password on the command line is visible to every user in `ps` and is kept in shell history; \
         set AUTHTOKEN_PASSWORD, pipe it with --password-stdin, or run in a terminal to be prompted"
    )
}

fn check_file_key(key: &str, source: &Source) -> Result<(), SettingsError> {
    match key_kind(key) {
        None => Err(SettingsError::Invalid(format!(
            "unknown key `{}` in {source}; the keys are the library's config keys: {}",
            shorten(key),
            authtoken::config_keys().filter(|k| *k != "password").collect::<Vec<_>>().join(", ")
        ))),
        Some(KeyKind::Secret) => Err(SettingsError::Invalid(format!(
            "`password` in {source} is refused: config files are copied, shared and committed; \
             set AUTHTOKEN_PASSWORD, pipe it with --password-stdin, or run in a terminal to be prompted"
        ))),
        Some(_) => Ok(()),
    }
}

/// Turns a flag's or variable's text into the JSON value the library expects for `key`.
pub fn coerce(key: &str, raw: &str) -> Result<Value, String> {
    match key_kind(key) {
        Some(KeyKind::Bool) => match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(Value::Bool(true)),
            "false" | "0" | "no" | "off" => Ok(Value::Bool(false)),
            _ => Err(format!(
                "`{key}` must be true or false, got `{}`",
                shorten(raw)
            )),
        },
        Some(KeyKind::Integer) => raw
            .trim()
            .parse::<u64>()
            .map(Value::from)
            .map_err(|_| format!("`{key}` must be a whole number, got `{}`", shorten(raw))),
        Some(KeyKind::Object) => match serde_json::from_str::<Value>(raw) {
            Ok(v @ Value::Object(_)) => Ok(v),
            _ => Err(format!(
                "`{key}` must be a JSON object such as {{\"name\": \"value\"}}, got `{}`",
                shorten(raw)
            )),
        },
        Some(KeyKind::Text) | None => Ok(Value::String(raw.to_string())),
        Some(KeyKind::Secret) => Err(password_refusal(key)),
    }
}

fn toml_to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(64).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn every_library_key_has_the_kind_of_the_librarys_table() {
        for key in authtoken::config_key_table() {
            assert_eq!(
                key_kind(key.name()),
                Some(key.value_type()),
                "{}",
                key.name()
            );
        }
        assert_eq!(key_kind("no_such_key"), None);
        for (key, kind) in [
            ("password", KeyKind::Secret),
            ("sandbox", KeyKind::Bool),
            ("redis_fallback", KeyKind::Bool),
            ("timeout_ms", KeyKind::Integer),
            ("max_response_bytes", KeyKind::Integer),
            ("extra_fields", KeyKind::Object),
            ("organization_id", KeyKind::Text),
            ("cache", KeyKind::Text),
        ] {
            assert_eq!(key_kind(key), Some(kind), "{key}");
        }
    }

    #[test]
    fn coercion() {
        assert_eq!(coerce("sandbox", "yes"), Ok(Value::Bool(true)));
        assert_eq!(coerce("timeout_ms", "1500"), Ok(Value::from(1500)));
        assert!(coerce("timeout_ms", "1.5s")
            .unwrap_err()
            .contains("whole number"));
        assert_eq!(coerce("username", "007"), Ok(Value::String("007".into())));
        assert!(coerce("extra_fields", "[1]").is_err());
    }

    #[test]
    fn flags_beat_env_beat_profile() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            "[profiles.work]\nprovider = \"tpstreams\"\nusername = \"file-user\"\norganization_id = \"file-org\"\ntimeout_ms = 5\n",
        )
        .unwrap();
        let env = env_of(&[
            ("AUTHTOKEN_USERNAME", "env-user"),
            ("AUTHTOKEN_ORGANIZATION_ID", "env-org"),
        ]);
        let flags = Flags {
            profile: Some("work".into()),
            config: Some(file.clone()),
            keys: vec![("username", "--username", "flag-user".into())],
            set: vec![],
        };
        let s = load(&flags, &env).unwrap();
        assert_eq!(s.text("username"), Some("flag-user"));
        assert_eq!(s.text("organization_id"), Some("env-org"));
        assert_eq!(s.text("provider"), Some("tpstreams"));
        assert_eq!(s.doc.get("timeout_ms"), Some(&Value::from(5)));
        assert_eq!(s.sources["username"], Source::Flag("--username".into()));
        assert_eq!(
            s.sources["organization_id"],
            Source::Env("AUTHTOKEN_ORGANIZATION_ID".into())
        );
    }

    #[test]
    fn cache_dir_from_the_environment_is_only_for_the_file_cache() {
        let env = env_of(&[("AUTHTOKEN_CACHE_DIR", "/tmp/x")]);
        let memory = Flags {
            keys: vec![("cache", "--cache", "memory".into())],
            ..Flags::default()
        };
        assert_eq!(load(&memory, &env).unwrap().doc.get("cache_dir"), None);
        assert_eq!(
            load(&Flags::default(), &env).unwrap().text("cache_dir"),
            Some("/tmp/x")
        );
        let explicit = Flags {
            keys: vec![
                ("cache", "--cache", "memory".into()),
                ("cache_dir", "--cache-dir", "/d".into()),
            ],
            ..Flags::default()
        };
        assert_eq!(
            load(&explicit, &env).unwrap().text("cache_dir"),
            Some("/d"),
            "a flag is kept, and the library says why it does not apply"
        );
    }

    #[test]
    fn password_never_from_file_or_set() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "[profiles.default]\npassword = \"hunter22\"\n").unwrap();
        let flags = Flags {
            config: Some(file),
            ..Flags::default()
        };
        match load(&flags, &env_of(&[])) {
            Err(SettingsError::Invalid(m)) => {
                assert!(m.contains("`password`") && !m.contains("hunter22"), "{m}")
            }
            other => panic!("{other:?}"),
        }
        let flags = Flags {
            set: vec!["password=hunter22".into()],
            ..Flags::default()
        };
        assert!(
            matches!(load(&flags, &env_of(&[])), Err(SettingsError::Usage(m)) if !m.contains("hunter22"))
        );
    }

    #[test]
    fn xdg_config_home_is_respected() {
        let env = env_of(&[("XDG_CONFIG_HOME", "/x/conf"), ("HOME", "/home/u")]);
        assert_eq!(
            config_path(None, &env),
            Some((PathBuf::from("/x/conf/authtoken/config.toml"), false))
        );
        let env = env_of(&[("XDG_CONFIG_HOME", "relative"), ("HOME", "/home/u")]);
        assert_eq!(
            config_path(None, &env),
            Some((
                PathBuf::from("/home/u/.config/authtoken/config.toml"),
                false
            ))
        );
    }
}
