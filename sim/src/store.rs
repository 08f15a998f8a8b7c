//! The object store: every object as JSON, one resourceVersion counter, a bounded event
//! history for watches (older versions are 410 Gone), owner-reference garbage collection.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::conversion::view_of;
use crate::meta;
use crate::ownership::Manager;
use crate::resources::ResourceType;
use crate::selector::{FieldSelector, LabelSelector};
use crate::status::{ApiError, Cause};

/// Watch event types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// Created.
    Added,
    /// Changed.
    Modified,
    /// Removed.
    Deleted,
}

impl EventType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "ADDED",
            Self::Modified => "MODIFIED",
            Self::Deleted => "DELETED",
        }
    }
}

/// One change, as watches stream it.
#[derive(Debug, Clone)]
pub struct WatchEvent {
    /// The resourceVersion of the change.
    pub rv: u64,
    /// What happened.
    pub kind: EventType,
    /// The object's type.
    pub resource: &'static ResourceType,
    /// Its namespace ("" when cluster-scoped).
    pub namespace: String,
    /// The object after the change (before, for deletions).
    pub object: Value,
    /// The event as a plain watch line, serialised once for every watcher that sends it.
    pub line: std::sync::OnceLock<axum::body::Bytes>,
}

type Key = (&'static str, &'static str, String, String);

fn key(rt: &'static ResourceType, ns: &str, name: &str) -> Key {
    (rt.group, rt.plural, ns.to_string(), name.to_string())
}

struct Inner {
    rv: u64,
    /// Shared, so a list hands out the stored objects without copying them.
    objects: BTreeMap<Key, (&'static ResourceType, Arc<Value>)>,
    history: VecDeque<Arc<WatchEvent>>,
    compacted: u64,
    services: u32,
}

impl Inner {
    fn in_namespace(
        &self,
        rt: &'static ResourceType,
        ns: Option<&str>,
    ) -> impl Iterator<Item = &Arc<Value>> {
        let lo = (
            rt.group,
            rt.plural,
            ns.unwrap_or("").to_string(),
            String::new(),
        );
        self.objects
            .range(lo..)
            .take_while(move |(k, _)| {
                k.0 == rt.group && k.1 == rt.plural && ns.is_none_or(|n| k.2 == n)
            })
            .map(|(_, (_, v))| v)
    }
}

impl crate::admission::View for Inner {
    fn list(&self, rt: &'static ResourceType, ns: &str) -> Vec<Value> {
        self.in_namespace(rt, Some(ns))
            .map(|v| (**v).clone())
            .collect()
    }
}

impl crate::admission::View for Store {
    fn list(&self, rt: &'static ResourceType, ns: &str) -> Vec<Value> {
        self.lock()
            .in_namespace(rt, Some(ns))
            .map(|v| (**v).clone())
            .collect()
    }
}

/// How many past events a watch can resume from.
pub const HISTORY: usize = 20_000;

/// Which part of an object an update may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateScope {
    /// Everything but `.status` (for types with a status subresource).
    Main,
    /// Only `.status`.
    Status,
}

/// Past events plus a receiver for the later ones.
pub type WatchStart = (Vec<Arc<WatchEvent>>, broadcast::Receiver<Arc<WatchEvent>>);

/// The shared store.
pub struct Store {
    inner: Mutex<Inner>,
    events: broadcast::Sender<Arc<WatchEvent>>,
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

impl Store {
    /// An empty store.
    pub fn new() -> Self {
        Self {
            inner: Mutex::new(Inner {
                rv: 1,
                objects: BTreeMap::new(),
                history: VecDeque::new(),
                compacted: 0,
                services: 0,
            }),
            events: broadcast::channel(8192).0,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves consistent data (each write is one insert).
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The current resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.lock().rv
    }

    fn emit(
        &self,
        inner: &mut Inner,
        kind: EventType,
        rt: &'static ResourceType,
        ns: &str,
        object: Value,
    ) {
        let ev = Arc::new(WatchEvent {
            rv: inner.rv,
            kind,
            resource: rt,
            namespace: ns.to_string(),
            object,
            line: std::sync::OnceLock::new(),
        });
        inner.history.push_back(ev.clone());
        while inner.history.len() > HISTORY {
            if let Some(old) = inner.history.pop_front() {
                inner.compacted = old.rv;
            }
        }
        let _ = self.events.send(ev);
    }

    /// Creates an object; fills name (from generateName), uid, timestamps and versions.
    pub fn create(
        &self,
        rt: &'static ResourceType,
        ns: &str,
        obj: Value,
    ) -> Result<Value, ApiError> {
        self.create_with(rt, ns, obj, true, None)
    }

    /// Like [`Store::create`]; with `commit` false (a dry run) nothing is stored or sent.
    /// A request's write names its field manager, which then owns what it set.
    pub fn create_with(
        &self,
        rt: &'static ResourceType,
        ns: &str,
        mut obj: Value,
        commit: bool,
        manager: Option<&Manager>,
    ) -> Result<Value, ApiError> {
        if let Some(v) = view_of(rt) {
            return self
                .create_with(v.stored, ns, (v.to_stored)(&obj), commit, manager)
                .map(|o| (v.to_served)(&o));
        }
        if !obj.is_object() {
            return Err(ApiError::BadRequest(
                "the request body must be a JSON object".into(),
            ));
        }
        obj["apiVersion"] = json!(rt.api_version());
        obj["kind"] = json!(rt.kind);
        if !obj["metadata"].is_object() {
            obj["metadata"] = json!({});
        }
        let mut inner = self.lock();
        let name = match meta::meta_str(&obj, "name").filter(|n| !n.is_empty()) {
            Some(n) => n.to_string(),
            None => match meta::meta_str(&obj, "generateName").filter(|n| !n.is_empty()) {
                Some(prefix) => format!("{prefix}{}", meta::suffix(5)),
                None => String::new(),
            },
        };
        if let Some(problem) = meta::invalid_name_for(rt, &name) {
            let reason = if name.is_empty() {
                "FieldValueRequired"
            } else {
                "FieldValueInvalid"
            };
            return Err(ApiError::Invalid {
                kind: qualified_kind(rt),
                name,
                causes: vec![Cause {
                    reason,
                    field: "metadata.name".into(),
                    message: problem,
                }],
            });
        }
        if rt.namespaced {
            let Some((_, namespace)) =
                inner
                    .objects
                    .get(&(NS_GROUP, NS_PLURAL, String::new(), ns.to_string()))
            else {
                return Err(ApiError::NotFound {
                    kind: "namespaces".into(),
                    name: ns.to_string(),
                });
            };
            if namespace["metadata"]["deletionTimestamp"].is_string() {
                return Err(ApiError::Forbidden(format!(
                    "{} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                    rt.qualified()
                )));
            }
            obj["metadata"]["namespace"] = json!(ns);
        } else if let Some(m) = obj["metadata"].as_object_mut() {
            m.remove("namespace");
        }
        let k = key(rt, if rt.namespaced { ns } else { "" }, &name);
        if inner.objects.contains_key(&k) {
            return Err(ApiError::AlreadyExists {
                kind: rt.qualified(),
                name,
            });
        }
        // Identity first: some defaults are derived from it (a Job's selector from its uid).
        obj["metadata"]["name"] = json!(name);
        obj["metadata"]["uid"] = json!(meta::uid());
        crate::defaults::on_write(rt, &mut obj);
        crate::defaults::on_create(rt, &mut obj, || {
            inner.services += 1;
            format!(
                "10.96.{}.{}",
                inner.services / 250,
                10 + inner.services % 250
            )
        });
        crate::admission::admit_create(&*inner, rt, ns, &name, &mut obj)?;
        if let Some(who) = manager {
            crate::ownership::record_update(rt, None, &mut obj, who);
        }
        let rv = if commit { inner.rv + 1 } else { inner.rv };
        if commit {
            inner.rv = rv;
        }
        let m = &mut obj["metadata"];
        m["creationTimestamp"] = json!(meta::now());
        m["resourceVersion"] = json!(rv.to_string());
        if obj.get("spec").is_some() {
            obj["metadata"]["generation"] = json!(1);
        }
        if !commit {
            return Ok(obj);
        }
        inner.objects.insert(k, (rt, Arc::new(obj.clone())));
        let ns_owned = if rt.namespaced {
            ns.to_string()
        } else {
            String::new()
        };
        self.emit(&mut inner, EventType::Added, rt, &ns_owned, obj.clone());
        Ok(obj)
    }

    /// Reads one object.
    pub fn get(&self, rt: &'static ResourceType, ns: &str, name: &str) -> Result<Value, ApiError> {
        if let Some(v) = view_of(rt) {
            return self.get(v.stored, ns, name).map(|o| (v.to_served)(&o));
        }
        let inner = self.lock();
        inner
            .objects
            .get(&key(rt, if rt.namespaced { ns } else { "" }, name))
            .map(|(_, v)| (**v).clone())
            .ok_or_else(|| ApiError::NotFound {
                kind: rt.qualified(),
                name: name.to_string(),
            })
    }

    /// Lists objects (all namespaces when `ns` is `None`), with the list's resourceVersion.
    pub fn list(
        &self,
        rt: &'static ResourceType,
        ns: Option<&str>,
        labels: &LabelSelector,
        fields: &FieldSelector,
    ) -> (Vec<Value>, u64) {
        if let Some(v) = view_of(rt) {
            let (items, rv) = self.list(
                v.stored,
                ns,
                &LabelSelector::default(),
                &FieldSelector::default(),
            );
            let items = items
                .iter()
                .map(|o| (v.to_served)(o))
                .filter(|o| {
                    labels.matches(o["metadata"]["labels"].as_object()) && fields.matches(o)
                })
                .collect();
            return (items, rv);
        }
        let (items, rv) = self.list_shared(rt, ns, labels, fields);
        (items.into_iter().map(Arc::unwrap_or_clone).collect(), rv)
    }

    /// Like [`Store::list`], handing out the stored objects themselves (no copy): what a
    /// LIST of a thousand pods needs. Not for kinds served as views of others.
    pub fn list_shared(
        &self,
        rt: &'static ResourceType,
        ns: Option<&str>,
        labels: &LabelSelector,
        fields: &FieldSelector,
    ) -> (Vec<Arc<Value>>, u64) {
        let inner = self.lock();
        let items = inner
            .in_namespace(rt, ns)
            .filter(|v| labels.matches(v["metadata"]["labels"].as_object()) && fields.matches(v))
            .cloned()
            .collect();
        (items, inner.rv)
    }

    /// Replaces an object, honouring `metadata.resourceVersion` as a precondition.
    pub fn update(
        &self,
        rt: &'static ResourceType,
        ns: &str,
        name: &str,
        new: Value,
        scope: UpdateScope,
    ) -> Result<Value, ApiError> {
        self.update_with(rt, ns, name, new, scope, true, None)
    }

    /// Like [`Store::update`]; with `commit` false (a dry run) nothing is stored or sent.
    #[allow(clippy::too_many_arguments)]
    pub fn update_with(
        &self,
        rt: &'static ResourceType,
        ns: &str,
        name: &str,
        new: Value,
        scope: UpdateScope,
        commit: bool,
        manager: Option<&Manager>,
    ) -> Result<Value, ApiError> {
        self.modify_with(
            rt,
            ns,
            name,
            |cur| {
                if let Some(want) =
                    meta::meta_str(&new, "resourceVersion").filter(|v| !v.is_empty())
                    && Some(want) != meta::meta_str(cur, "resourceVersion")
                {
                    return Err(ApiError::Conflict {
                        kind: rt.qualified(),
                        name: name.to_string(),
                    });
                }
                if let Some(n) = meta::meta_str(&new, "name")
                    && n != name
                {
                    return Err(ApiError::BadRequest(format!(
                        "the name of the object ({n}) does not match the name on the URL ({name})"
                    )));
                }
                let next = match scope {
                    UpdateScope::Status => {
                        let mut next = cur.clone();
                        next["status"] = new.get("status").cloned().unwrap_or(Value::Null);
                        next
                    }
                    UpdateScope::Main => {
                        let mut next = new.clone();
                        if rt.has_status {
                            next["status"] = cur.get("status").cloned().unwrap_or(Value::Null);
                        }
                        next
                    }
                };
                *cur = next;
                Ok(())
            },
            commit,
            manager,
        )
    }

    /// Read-modify-write of one object under the store lock; bumps versions and generation.
    pub fn modify<F>(
        &self,
        rt: &'static ResourceType,
        ns: &str,
        name: &str,
        f: F,
    ) -> Result<Value, ApiError>
    where
        F: FnOnce(&mut Value) -> Result<(), ApiError>,
    {
        self.modify_with(rt, ns, name, f, true, None)
    }

    /// Like [`Store::modify`]; with `commit` false (a dry run) nothing is stored or sent.
    /// A request's write names its field manager, which then owns what it changed.
    pub fn modify_with<F>(
        &self,
        rt: &'static ResourceType,
        ns: &str,
        name: &str,
        f: F,
        commit: bool,
        manager: Option<&Manager>,
    ) -> Result<Value, ApiError>
    where
        F: FnOnce(&mut Value) -> Result<(), ApiError>,
    {
        if let Some(v) = view_of(rt) {
            let through_view = |stored: &mut Value| {
                let mut served = (v.to_served)(stored);
                f(&mut served)?;
                *stored = (v.to_stored)(&served);
                Ok(())
            };
            return self
                .modify_stored(v.stored, ns, name, through_view, commit, manager)
                .map(|o| (v.to_served)(&o));
        }
        self.modify_stored(rt, ns, name, f, commit, manager)
    }

    fn modify_stored<F>(
        &self,
        rt: &'static ResourceType,
        ns: &str,
        name: &str,
        f: F,
        commit: bool,
        manager: Option<&Manager>,
    ) -> Result<Value, ApiError>
    where
        F: FnOnce(&mut Value) -> Result<(), ApiError>,
    {
        let mut inner = self.lock();
        let ns = if rt.namespaced { ns } else { "" };
        let k = key(rt, ns, name);
        let Some((_, cur)) = inner.objects.get(&k) else {
            return Err(ApiError::NotFound {
                kind: rt.qualified(),
                name: name.to_string(),
            });
        };
        let before = (**cur).clone();
        let mut next = before.clone();
        f(&mut next)?;
        crate::defaults::on_write(rt, &mut next);
        crate::immutable::check(rt, &before, &next)?;
        crate::admission::admit_update(&*inner, rt, name, &before, &next)?;
        // Identity and bookkeeping are the server's.
        next["apiVersion"] = json!(rt.api_version());
        next["kind"] = json!(rt.kind);
        if !next["metadata"].is_object() {
            next["metadata"] = json!({});
        }
        for f in [
            "name",
            "uid",
            "creationTimestamp",
            "namespace",
            "generation",
        ] {
            match before["metadata"].get(f) {
                Some(v) => next["metadata"][f] = v.clone(),
                None => {
                    if let Some(m) = next["metadata"].as_object_mut() {
                        m.remove(f);
                    }
                }
            }
        }
        if next.get("status").is_some_and(Value::is_null)
            && let Some(m) = next.as_object_mut()
        {
            m.remove("status");
        }
        next["metadata"]["resourceVersion"] = before["metadata"]["resourceVersion"].clone();
        // A client that leaves managedFields out keeps them as they are.
        if next["metadata"].get("managedFields").is_none()
            && let Some(kept) = before["metadata"].get("managedFields")
        {
            next["metadata"]["managedFields"] = kept.clone();
        }
        if next == before {
            return Ok(before);
        }
        if let Some(who) = manager {
            crate::ownership::record_update(rt, Some(&before), &mut next, who);
        }
        if next.get("spec") != before.get("spec") {
            let g = before["metadata"]["generation"].as_i64().unwrap_or(0) + 1;
            next["metadata"]["generation"] = json!(g);
        }
        if !commit {
            return Ok(next);
        }
        inner.rv += 1;
        next["metadata"]["resourceVersion"] = json!(inner.rv.to_string());
        inner.objects.insert(k, (rt, Arc::new(next.clone())));
        self.emit(&mut inner, EventType::Modified, rt, ns, next.clone());
        Ok(next)
    }

    /// Deletes an object, then (in the background, as `propagationPolicy=Background`) every
    /// object it owns.
    pub fn delete(
        &self,
        rt: &'static ResourceType,
        ns: &str,
        name: &str,
    ) -> Result<Value, ApiError> {
        if let Some(v) = view_of(rt) {
            return self.delete(v.stored, ns, name).map(|o| (v.to_served)(&o));
        }
        let mut inner = self.lock();
        let ns = if rt.namespaced { ns } else { "" };
        let Some((_, obj)) = inner.objects.remove(&key(rt, ns, name)) else {
            return Err(ApiError::NotFound {
                kind: rt.qualified(),
                name: name.to_string(),
            });
        };
        let obj = Arc::unwrap_or_clone(obj);
        inner.rv += 1;
        self.emit(&mut inner, EventType::Deleted, rt, ns, obj.clone());
        // Garbage collection: dependents by owner uid, and a namespace's contents.
        let mut orphans: Vec<String> =
            vec![meta::meta_str(&obj, "uid").unwrap_or_default().to_string()];
        let deleted_ns = (rt.plural == NS_PLURAL && rt.group.is_empty()).then(|| name.to_string());
        let mut graceful: Vec<(String, String)> = Vec::new();
        while let Some(uid) = orphans.pop() {
            let doomed: Vec<Key> = inner
                .objects
                .iter()
                .filter(|(k, (_, v))| {
                    deleted_ns.as_deref().is_some_and(|n| k.2 == n)
                        || v["metadata"]["ownerReferences"]
                            .as_array()
                            .is_some_and(|refs| refs.iter().any(|r| r["uid"] == uid.as_str()))
                })
                .map(|(k, _)| k.clone())
                .collect();
            for k in doomed {
                // The collector deletes a running pod as anyone does: gracefully (a
                // namespace's removal takes its pods at once, after the controller's wait).
                let pod_with_grace = inner.objects.get(&k).is_some_and(|(drt, dobj)| {
                    deleted_ns.is_none()
                        && *drt == &crate::resources::POD
                        && crate::graceful::grace_period(dobj, None).is_some()
                });
                if pod_with_grace {
                    graceful.push((k.2.clone(), k.3.clone()));
                    continue;
                }
                if let Some((drt, dobj)) = inner.objects.remove(&k) {
                    inner.rv += 1;
                    orphans.push(meta::meta_str(&dobj, "uid").unwrap_or_default().to_string());
                    self.emit(
                        &mut inner,
                        EventType::Deleted,
                        drt,
                        &k.2,
                        Arc::unwrap_or_clone(dobj),
                    );
                }
            }
        }
        drop(inner);
        for (pod_ns, pod_name) in graceful {
            let _ = crate::graceful::delete_pod(self, &pod_ns, &pod_name, None);
        }
        Ok(obj)
    }

    /// Deletes an object and leaves its dependents (`propagationPolicy=Orphan`): each loses
    /// its owner reference to it and stays.
    pub fn delete_orphaning(
        &self,
        rt: &'static ResourceType,
        ns: &str,
        name: &str,
    ) -> Result<Value, ApiError> {
        let uid = self.get(rt, ns, name)?["metadata"]["uid"].clone();
        let dependents: Vec<(&'static ResourceType, String, String)> = {
            let inner = self.lock();
            inner
                .objects
                .values()
                .filter(|(_, v)| {
                    v["metadata"]["ownerReferences"]
                        .as_array()
                        .is_some_and(|refs| refs.iter().any(|r| r["uid"] == uid))
                })
                .map(|(drt, v)| {
                    let (n, dns, _) = meta::ident(v);
                    (*drt, dns, n)
                })
                .collect()
        };
        for (drt, dns, dname) in dependents {
            let _ = self.modify(drt, &dns, &dname, |d| {
                if let Some(refs) = d["metadata"]["ownerReferences"].as_array_mut() {
                    refs.retain(|r| r["uid"] != uid);
                }
                if d["metadata"]["ownerReferences"]
                    .as_array()
                    .is_some_and(Vec::is_empty)
                    && let Some(m) = d["metadata"].as_object_mut()
                {
                    m.remove("ownerReferences");
                }
                Ok(())
            });
        }
        self.delete(rt, ns, name)
    }

    /// Past events after `rv` plus a receiver for later ones, with no gap between them;
    /// 410 Gone when `rv` is older than the history.
    pub fn watch_from(&self, rv: u64) -> Result<WatchStart, ApiError> {
        let inner = self.lock();
        if rv < inner.compacted {
            return Err(ApiError::Gone {
                requested: rv,
                oldest: inner.compacted,
            });
        }
        let past = inner
            .history
            .iter()
            .filter(|e| e.rv > rv)
            .cloned()
            .collect();
        Ok((past, self.events.subscribe()))
    }

    /// Every later change.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<WatchEvent>> {
        self.events.subscribe()
    }

    /// Every object of a type in every namespace, shared with the store (no copy): for the
    /// controllers' passes.
    pub fn all_shared(&self, rt: &'static ResourceType) -> Vec<Arc<Value>> {
        if view_of(rt).is_some() {
            return self.all(rt).into_iter().map(Arc::new).collect();
        }
        self.list_shared(
            rt,
            None,
            &LabelSelector::default(),
            &FieldSelector::default(),
        )
        .0
    }

    /// Every object of a type (a copy).
    pub fn all(&self, rt: &'static ResourceType) -> Vec<Value> {
        self.list(
            rt,
            None,
            &LabelSelector::default(),
            &FieldSelector::default(),
        )
        .0
    }

    /// Creates the namespaces every cluster has.
    pub fn bootstrap_namespaces(&self) {
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            let _ = self.create(
                ns_type(),
                "",
                json!({"metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}}, "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}),
            );
        }
    }
}

const NS_GROUP: &str = "";
const NS_PLURAL: &str = "namespaces";

fn ns_type() -> &'static ResourceType {
    &crate::resources::NAMESPACE
}

/// `Deployment.apps` / `Pod`, as 422 messages name kinds.
pub fn qualified_kind(rt: &ResourceType) -> String {
    if rt.group.is_empty() {
        rt.kind.to_string()
    } else {
        format!("{}.{}", rt.kind, rt.group)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::find;

    #[test]
    fn bootstrap_creates_namespaces() {
        let s = Store::new();
        let ns = find("", "v1", "namespaces").unwrap();
        let r = s.create(ns, "", json!({"metadata": {"name": "x"}}));
        assert!(r.is_ok(), "{r:?}");
        s.bootstrap_namespaces();
        assert_eq!(s.all(ns).len(), 5);
    }
}
