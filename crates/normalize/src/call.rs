use std::sync::Arc;

use chrono::{DateTime, Utc};
use revertwatch_pack::{CallFields, Provider, Root};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How a call ended, as the incident contract writes it (`success`, `failure`, `in-progress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Success,
    Failure,
    /// Azure accepted an asynchronous operation, or GCP logged only its first entry: the call
    /// was authorised and started; its end was not seen.
    InProgress,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::InProgress => "in-progress",
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Outcome {
    type Err = UnknownOutcome;

    fn from_str(s: &str) -> Result<Outcome, UnknownOutcome> {
        [Outcome::Success, Outcome::Failure, Outcome::InProgress]
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| UnknownOutcome(s.to_string()))
    }
}

/// A string that names no [`Outcome`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an outcome (success, failure, in-progress)")]
pub struct UnknownOutcome(pub String);

/// Where one event stands in its operation's life. Merging keeps the outcome of the latest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    Start,
    Accept,
    Final,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Actor {
    /// ARN, UPN, object id or e-mail.
    pub id: String,
    /// The provider's identity type (IAMUser, AssumedRole, User, ServicePrincipal...).
    #[serde(rename = "type")]
    pub kind: String,
    /// The service that made the call on the actor's behalf (`invokedBy`).
    pub invoked_by: Option<String>,
    /// The role a session was issued from.
    pub session_issuer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ResourceRef {
    pub kind: String,
    pub id: String,
}

/// A lineage edge: `from` went into `to` (a snapshot into a volume, a volume into an instance).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Edge {
    pub from: ResourceRef,
    pub to: ResourceRef,
    pub relation: String,
}

/// Where a record was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    pub source: Arc<str>,
    pub offset: u64,
    pub line: u64,
}

/// One logical cloud API call, the same shape for every provider.
#[derive(Debug, Clone, Serialize)]
pub struct ApiCall {
    #[serde(serialize_with = "crate::time::serialize_time")]
    pub time: DateTime<Utc>,
    pub provider: Provider,
    pub account: String,
    pub region: String,
    pub actor: Actor,
    pub source_ip: String,
    pub user_agent: String,
    /// The operation as the provider names it (Azure in the pack's casing when known).
    pub operation: String,
    pub outcome: Outcome,
    pub error: Option<String>,
    /// Id of the call's first event; `event_ids` lists every event merged into it.
    pub event_id: String,
    pub event_ids: Vec<String>,
    pub resources: Vec<ResourceRef>,
    /// What the call acts on or produced, per the pack.
    pub subjects: Vec<ResourceRef>,
    pub edges: Vec<Edge>,
    /// Tags and labels the call set or carried (`ChangeTicket=CHG-1`).
    pub tags: Vec<(String, String)>,
    /// Resources and edges are filled in and the bodies pruned to what the pack's conditions
    /// read (see [`crate::annotate`]).
    #[serde(skip)]
    pub annotated: bool,
    #[serde(skip)]
    pub phase: Phase,
    /// Azure correlationId, GCP operation.id: what the phases of one operation share.
    #[serde(skip)]
    pub correlation: Option<String>,
    #[serde(skip)]
    pub request: Value,
    #[serde(skip)]
    pub response: Value,
    /// The record's own resource id (Azure resourceId, GCP resourceName), canonical.
    #[serde(skip)]
    pub resource: Value,
    /// The original record, for evidence and for rules that read it whole.
    #[serde(skip)]
    pub record: Arc<Value>,
    pub origin: Origin,
}

impl CallFields for ApiCall {
    fn field_root(&self, root: Root) -> Option<&Value> {
        match root {
            Root::Request => Some(&self.request),
            Root::Response => Some(&self.response),
            Root::Resource => Some(&self.resource),
            Root::Record => Some(&self.record),
        }
    }
}
