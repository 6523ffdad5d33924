//! The machine behind an incident: who acted on it, in terms the caller cannot choose, and
//! whether it was new when the restored state reached it.

use revertwatch_normalize::ApiCall;
use revertwatch_pack::{Lifecycle, Provider, Signal};

use crate::signal::Classified;

/// The identity of a caller that the caller cannot choose: for an AWS session, the role (or
/// user) it was issued from, never the role session name, which is whatever the caller asked
/// for; otherwise the principal the provider authenticated (IAM user ARN, Azure UPN or object
/// id, GCP principal email). Tuning keys its actors the same way (`actor` matches the session
/// issuer too).
pub fn identity(provider: Provider, actor: &str, session_issuer: Option<&str>) -> String {
    match (provider, session_issuer) {
        (Provider::Aws, Some(issuer)) if !issuer.is_empty() => issuer.to_string(),
        (Provider::Aws, _) => role_of_session(actor).unwrap_or_else(|| actor.to_string()),
        _ => actor.to_string(),
    }
}

/// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` → `arn:aws:iam::ACCOUNT:role/ROLE`, for a
/// record that names the session but not its issuer: the session name is the caller's choice.
fn role_of_session(arn: &str) -> Option<String> {
    let (head, rest) = arn.split_once(":assumed-role/")?;
    let (partition, account) = head.strip_prefix("arn:")?.split_once(":sts::")?;
    let (role, _session) = rest.rsplit_once('/')?;
    Some(format!("arn:{partition}:iam::{account}:role/{role}"))
}

/// [`identity`] of a call's caller.
pub fn identity_of(call: &ApiCall) -> String {
    identity(
        call.provider,
        &call.actor.id,
        call.actor.session_issuer.as_deref(),
    )
}

/// One call of an incident, as the machine judgements read it.
pub(crate) struct OnMachine<'a> {
    pub call: &'a ApiCall,
    pub class: &'a Classified,
    /// Whether the call names the machine itself (rather than reaching it through lineage).
    pub direct: bool,
}

/// Whether the machine was new: the incident holds a successful launch that produced it,
/// nothing acted on the machine itself before that launch (a delete before it means the name
/// was re-used: the same machine, re-created), and every restore in the incident was made by
/// the identity that launched it. A CI host mounting a golden snapshot, or a DR drill's instance
/// launched from a copied image, is new; a machine that ran before is not.
pub(crate) fn is_new(calls: &[OnMachine<'_>]) -> bool {
    let Some(launch) = calls
        .iter()
        .filter(|c| c.direct && c.class.lifecycle == Some(Lifecycle::Launch))
        .min_by_key(|c| c.call.time)
    else {
        return false;
    };
    let acted_before = calls
        .iter()
        .any(|c| c.direct && c.call.time < launch.call.time);
    if acted_before {
        return false;
    }
    let launcher = identity_of(launch.call);
    let foreign_restore = calls.iter().any(|c| {
        c.class.counts
            && c.class.signal == Signal::SnapshotRestore
            && identity_of(c.call) != launcher
    });
    !foreign_restore
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_name_never_makes_an_identity() {
        let session = "arn:aws:sts::111122223333:assumed-role/DevBox-Owner/dana";
        let issuer = "arn:aws:iam::111122223333:role/DevBox-Owner";
        assert_eq!(identity(Provider::Aws, session, Some(issuer)), issuer);
        assert_eq!(identity(Provider::Aws, session, None), issuer);
        let user = "arn:aws:iam::111122223333:user/dana";
        assert_eq!(identity(Provider::Aws, user, None), user);
        assert_eq!(
            identity(Provider::Gcp, "dana@example.com", None),
            "dana@example.com"
        );
    }
}
