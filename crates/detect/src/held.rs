//! The calls a [`crate::Detector`] holds: phases grouped by the operation they belong to,
//! each under its event key.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use revertwatch_normalize::ApiCall;
use revertwatch_pack::Provider;

/// The phases of one operation share this ([`revertwatch_normalize::phase_group`]).
pub(crate) type Group = (Provider, String);

/// Where a logical call handed out by [`Held::take_merged`] came from.
pub(crate) struct Taken {
    pub group: Group,
    /// The key of the one phase moved out (rather than merged from copies), to put back.
    moved: Option<String>,
}

#[derive(Default)]
pub(crate) struct Held {
    groups: BTreeMap<Group, Vec<(String, ApiCall)>>,
    keys: HashMap<String, Group>,
    len: usize,
}

impl Held {
    pub fn contains(&self, key: &str) -> bool {
        self.keys.contains_key(key)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn insert(&mut self, group: Group, key: String, call: ApiCall) {
        self.keys.insert(key.clone(), group.clone());
        self.groups.entry(group).or_default().push((key, call));
        self.len += 1;
    }

    pub fn remove(&mut self, key: &str) {
        let Some(group) = self.keys.remove(key) else {
            return;
        };
        if let Some(phases) = self.groups.get_mut(&group) {
            let before = phases.len();
            phases.retain(|(k, _)| k != key);
            self.len -= before - phases.len();
            if phases.is_empty() {
                self.groups.remove(&group);
            }
        }
    }

    pub fn newest(&self) -> Option<DateTime<Utc>> {
        self.groups.values().flatten().map(|(_, c)| c.time).max()
    }

    pub fn calls(&self) -> impl Iterator<Item = (&str, &ApiCall)> {
        self.groups.values().flatten().map(|(k, c)| (k.as_str(), c))
    }

    /// Lets go of every group for which `gone(group, time of its last phase)` holds, and
    /// returns the keys let go, each with its group.
    pub fn release_groups(
        &mut self,
        mut gone: impl FnMut(&Group, DateTime<Utc>) -> bool,
    ) -> Vec<(String, Group)> {
        let doomed: Vec<Group> = self
            .groups
            .iter()
            .filter(|(group, phases)| {
                let ended = phases.iter().map(|(_, c)| c.time).max();
                ended.is_some_and(|t| gone(group, t))
            })
            .map(|(group, _)| group.clone())
            .collect();
        let mut released = Vec::new();
        for group in doomed {
            for (key, _) in self.groups.remove(&group).unwrap_or_default() {
                self.keys.remove(&key);
                self.len -= 1;
                released.push((key, group.clone()));
            }
        }
        released
    }

    /// Lets go of whole operations, oldest first, until at most `keep` calls are held.
    pub fn release_oldest(&mut self, keep: usize) -> Vec<String> {
        let mut by_age: Vec<(DateTime<Utc>, Group)> = self
            .groups
            .iter()
            .map(|(group, phases)| {
                let first = phases.iter().map(|(_, c)| c.time).min();
                (first.unwrap_or(DateTime::<Utc>::MIN_UTC), group.clone())
            })
            .collect();
        by_age.sort();
        let mut released = Vec::new();
        for (_, group) in by_age {
            if self.len <= keep {
                break;
            }
            for (key, _) in self.groups.remove(&group).unwrap_or_default() {
                self.keys.remove(&key);
                self.len -= 1;
                released.push(key);
            }
        }
        released
    }

    /// One logical call per group, sorted by (time, event id). A group of one annotated phase
    /// is moved out; others are merged from copies with `merge`.
    pub fn take_merged(
        &mut self,
        merge: impl Fn(Vec<ApiCall>) -> ApiCall,
    ) -> (Vec<ApiCall>, Vec<Taken>) {
        let mut merged: Vec<(ApiCall, Taken)> = self
            .groups
            .iter_mut()
            .map(|(group, phases)| {
                if phases.len() == 1 && phases[0].1.annotated {
                    let (key, call) = phases.pop().expect("one phase");
                    let taken = Taken {
                        group: group.clone(),
                        moved: Some(key),
                    };
                    return (call, taken);
                }
                let call = merge(phases.iter().map(|(_, c)| c.clone()).collect());
                let taken = Taken {
                    group: group.clone(),
                    moved: None,
                };
                (call, taken)
            })
            .collect();
        merged.sort_by(|(a, _), (b, _)| {
            a.time
                .cmp(&b.time)
                .then_with(|| a.event_id.cmp(&b.event_id))
        });
        merged.into_iter().unzip()
    }

    /// Returns the calls [`Held::take_merged`] moved out.
    pub fn put_back(&mut self, calls: Vec<ApiCall>, taken: Vec<Taken>) {
        for (call, taken) in calls.into_iter().zip(taken) {
            if let Some(key) = taken.moved {
                self.groups
                    .entry(taken.group)
                    .or_default()
                    .push((key, call));
            }
        }
    }
}
