//! The environment as the Atlas CLI reads it: `MONGODB_ATLAS_*`, or
//! `MCLI_*` once any `MCLI…` variable is set.

use super::{Setting, Source, set};

/// The first of these environment variables that is set and not empty.
pub(super) fn env_first(
    env: &dyn Fn(&str) -> Option<String>,
    names: &[&str],
) -> Option<Setting<String>> {
    names.iter().find_map(|n| {
        env(n)
            .filter(|v| !v.trim().is_empty())
            .map(|v| set(v.trim().to_string(), Source::Env(n.to_string())))
    })
}

pub(super) fn env_names(suffix: &str) -> [String; 2] {
    [format!("MONGODB_ATLAS_{suffix}"), format!("MCLI_{suffix}")]
}

pub(super) fn env_var(
    env: &dyn Fn(&str) -> Option<String>,
    suffix: &str,
) -> Option<Setting<String>> {
    let names = env_names(suffix);
    env_first(env, &[names[0].as_str(), names[1].as_str()])
}
