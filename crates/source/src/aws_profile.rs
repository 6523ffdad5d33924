//! Static credentials and the region from the AWS CLI's shared files (`~/.aws/credentials`,
//! `~/.aws/config`), which object_store does not read itself.

use std::path::PathBuf;

use crate::error::SourceError;

/// What a profile gives.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Profile {
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub session_token: Option<String>,
    pub region: Option<String>,
    /// How the profile gets credentials when it has no keys (`sso_session`, `role_arn`,
    /// `credential_process`): revertwatch does not run these.
    pub indirect: Option<&'static str>,
}

/// Reads the profile `AWS_PROFILE` names (or `default`) from the shared files that exist.
/// A named profile found in neither file is an error; a missing `default` is not.
pub fn load(env: &dyn Fn(&str) -> Option<String>) -> Result<Option<Profile>, SourceError> {
    let named = env("AWS_PROFILE").filter(|p| !p.is_empty());
    let name = named.clone().unwrap_or_else(|| "default".to_string());
    let home = env("HOME").map(PathBuf::from);
    let credentials = env("AWS_SHARED_CREDENTIALS_FILE")
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".aws/credentials")));
    let config = env("AWS_CONFIG_FILE")
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".aws/config")));
    let mut profile = Profile::default();
    let mut found = false;
    // The config file names profiles `[profile NAME]`, except `[default]`.
    let config_section = if name == "default" {
        "default".to_string()
    } else {
        format!("profile {name}")
    };
    for (file, section) in [
        (&config, config_section.as_str()),
        (&credentials, name.as_str()),
    ] {
        let Some(path) = file else { continue };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(SourceError::Profile {
                    profile: name.clone(),
                    file: path.display().to_string(),
                    why: e.to_string(),
                })
            }
        };
        for (key, value) in section_pairs(&text, section) {
            found = true;
            match key.as_str() {
                "aws_access_key_id" => profile.access_key_id = Some(value),
                "aws_secret_access_key" => profile.secret_access_key = Some(value),
                "aws_session_token" => profile.session_token = Some(value),
                "region" => profile.region = Some(value),
                "sso_session" | "sso_start_url" => {
                    profile.indirect = Some("AWS IAM Identity Center (SSO)")
                }
                "role_arn" => profile.indirect = Some("an assumed role"),
                "credential_process" => profile.indirect = Some("a credential_process"),
                _ => {}
            }
        }
    }
    if !found {
        return match named {
            Some(_) => Err(SourceError::Profile {
                profile: name,
                file: [&config, &credentials]
                    .iter()
                    .filter_map(|p| p.as_ref().map(|p| p.display().to_string()))
                    .collect::<Vec<_>>()
                    .join(" and "),
                why: "no such profile".to_string(),
            }),
            None => Ok(None),
        };
    }
    if profile.access_key_id.is_some() {
        profile.indirect = None;
    }
    Ok(Some(profile))
}

/// The `key = value` pairs of one `[section]` of an INI file (keys lower-cased, values
/// trimmed; `#` and `;` start comment lines).
fn section_pairs(text: &str, section: &str) -> Vec<(String, String)> {
    let mut inside = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = header.split_whitespace().collect::<Vec<_>>().join(" ") == section;
            continue;
        }
        if inside {
            if let Some((k, v)) = line.split_once('=') {
                out.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_with(pairs: Vec<(&'static str, String)>) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn reads_keys_and_region_of_the_named_profile() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".aws")).unwrap();
        std::fs::write(
            dir.path().join(".aws/credentials"),
            "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = d\n\n[audit]\naws_access_key_id=AKIAAUDIT\naws_secret_access_key = s3cret\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join(".aws/config"),
            "[default]\nregion = us-east-1\n[profile  audit]\n# the log archive account\nregion = eu-west-1\n",
        )
        .unwrap();
        let home = dir.path().display().to_string();
        let audit = load(&env_with(vec![
            ("HOME", home.clone()),
            ("AWS_PROFILE", "audit".into()),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(audit.access_key_id.as_deref(), Some("AKIAAUDIT"));
        assert_eq!(audit.secret_access_key.as_deref(), Some("s3cret"));
        assert_eq!(audit.region.as_deref(), Some("eu-west-1"));
        let default = load(&env_with(vec![("HOME", home.clone())]))
            .unwrap()
            .unwrap();
        assert_eq!(default.access_key_id.as_deref(), Some("AKIADEFAULT"));
        assert_eq!(default.region.as_deref(), Some("us-east-1"));
        let missing = load(&env_with(vec![
            ("HOME", home),
            ("AWS_PROFILE", "nope".into()),
        ]));
        assert!(matches!(missing, Err(SourceError::Profile { .. })));
    }

    #[test]
    fn an_sso_profile_says_how_it_gets_keys() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::fs::write(
            &config,
            "[profile sso]\nsso_session = corp\nregion = us-west-2\n",
        )
        .unwrap();
        let p = load(&env_with(vec![
            ("AWS_CONFIG_FILE", config.display().to_string()),
            ("AWS_PROFILE", "sso".into()),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(p.indirect, Some("AWS IAM Identity Center (SSO)"));
        assert_eq!(p.access_key_id, None);
        assert!(load(&env_with(vec![])).unwrap().is_none());
    }
}
