//! Watches: a chunked stream of `{"type","object"}` lines, resuming from a resourceVersion.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::Response;
use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::{ApiState, Target};
use crate::selector::{FieldSelector, LabelSelector};
use crate::status::ApiError;
use crate::store::WatchEvent;

/// Default watch duration when the client gives no `timeoutSeconds` (as the API server's
/// default lies between 30 and 60 minutes).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);

struct Filter {
    /// Send each object as a one-row Table (kubectl get -w); whole objects when `full`.
    table: Option<bool>,
    target: Target,
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Filter {
    /// The event as this watch sends it, or None when the watch does not want it. A kind
    /// served as a view of another's objects sees those objects, converted.
    fn pass(&self, e: &WatchEvent) -> Option<Bytes> {
        let view = crate::conversion::view_of(self.target.rt);
        let stored = view.map_or(self.target.rt, |v| v.stored);
        if !std::ptr::eq(e.resource, stored) {
            return None;
        }
        let converted;
        let object = match view {
            Some(v) => {
                converted = (v.to_served)(&e.object);
                &converted
            }
            None => &e.object,
        };
        let wanted = self
            .target
            .namespace
            .as_deref()
            .is_none_or(|ns| e.namespace == ns)
            && self
                .target
                .name
                .as_deref()
                .is_none_or(|n| object["metadata"]["name"] == n)
            && self
                .labels
                .matches(object["metadata"]["labels"].as_object())
            && self.fields.matches(object);
        if !wanted {
            return None;
        }
        Some(match (self.table, view) {
            // The common case: every plain watcher sends the same bytes.
            (None, None) => e
                .line
                .get_or_init(|| line(e.kind.as_str(), &e.object))
                .clone(),
            _ => encode(self, e.kind.as_str(), object),
        })
    }
}

fn encode(filter: &Filter, kind: &str, object: &Value) -> Bytes {
    match filter.table {
        Some(full) if kind != "BOOKMARK" => {
            let rv = object["metadata"]["resourceVersion"]
                .as_str()
                .unwrap_or_default();
            line(
                kind,
                &super::table::render(filter.target.rt, std::slice::from_ref(object), rv, full),
            )
        }
        _ => line(kind, object),
    }
}

fn line(kind: &str, object: &Value) -> Bytes {
    let mut s = json!({"type": kind, "object": object}).to_string();
    s.push('\n');
    Bytes::from(s)
}

struct WatchState {
    queue: VecDeque<Bytes>,
    rx: broadcast::Receiver<Arc<WatchEvent>>,
    filter: Filter,
    deadline: tokio::time::Instant,
    stopping: tokio::sync::watch::Receiver<bool>,
    done: bool,
}

/// At most this many bytes of queued events go out in one chunk.
const BATCH_BYTES: usize = 256 * 1024;

impl WatchState {
    /// The queued lines as one chunk: one write (one TLS record, one syscall) for a burst
    /// instead of one per event.
    fn take_batch(&mut self) -> Bytes {
        let first = self.queue.pop_front().unwrap_or_default();
        if self.queue.is_empty() || first.len() >= BATCH_BYTES {
            return first;
        }
        let mut out = first.to_vec();
        while let Some(next) = self.queue.front() {
            if out.len() + next.len() > BATCH_BYTES {
                break;
            }
            out.extend_from_slice(next);
            self.queue.pop_front();
        }
        Bytes::from(out)
    }
}

/// Starts a watch.
pub fn stream(
    s: &ApiState,
    t: &Target,
    q: &HashMap<String, String>,
    accept: &str,
) -> Result<Response, ApiError> {
    let labels = LabelSelector::parse(q.get("labelSelector").map_or("", String::as_str))
        .map_err(ApiError::BadRequest)?;
    let mut fields = FieldSelector::parse(q.get("fieldSelector").map_or("", String::as_str))
        .map_err(ApiError::BadRequest)?;
    let mut target = t.clone();
    // `kubectl get NAME -w` watches a collection with a name field selector.
    if target.name.is_none()
        && let Some(name) = q
            .get("fieldSelector")
            .and_then(|f| f.strip_prefix("metadata.name="))
            .filter(|n| !n.contains(','))
    {
        target.name = Some(name.to_string());
        fields = FieldSelector::default();
    }
    let filter = Filter {
        table: super::table::wanted(accept)
            .then(|| q.get("includeObject").is_some_and(|i| i == "Object")),
        target,
        labels,
        fields,
    };
    let send_initial = q.get("sendInitialEvents").is_some_and(|v| v == "true");
    let requested = q
        .get("resourceVersion")
        .filter(|v| !v.is_empty() && *v != "0" && !send_initial);
    let mut queue = VecDeque::new();
    let (past, rx) = match requested {
        Some(v) => {
            let rv: u64 = v
                .parse()
                .map_err(|_| ApiError::BadRequest(format!("invalid resourceVersion {v:?}")))?;
            s.store.watch_from(rv)?
        }
        None => {
            // No version: the current state as ADDED events, then changes.
            let (items, rv) =
                s.store
                    .list(t.rt, t.namespace.as_deref(), &filter.labels, &filter.fields);
            for item in items.iter().filter(|i| {
                filter
                    .target
                    .name
                    .as_deref()
                    .is_none_or(|n| i["metadata"]["name"] == n)
            }) {
                queue.push_back(encode(&filter, "ADDED", item));
            }
            if send_initial {
                // Streaming lists (WatchList) end their initial events with this bookmark.
                let bookmark = json!({
                    "kind": t.rt.kind, "apiVersion": t.rt.api_version(),
                    "metadata": {"resourceVersion": rv.to_string(), "annotations": {"k8s.io/initial-events-end": "true"}},
                });
                queue.push_back(line("BOOKMARK", &bookmark));
            }
            s.store.watch_from(rv)?
        }
    };
    queue.extend(past.iter().filter_map(|e| filter.pass(e)));
    let timeout = q
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
    let state = WatchState {
        queue,
        rx,
        filter,
        deadline: tokio::time::Instant::now() + timeout,
        stopping: s.stopping.clone(),
        done: false,
    };
    let body = futures::stream::unfold(state, |mut st| async move {
        loop {
            if !st.queue.is_empty() {
                return Some((Ok::<Bytes, std::convert::Infallible>(st.take_batch()), st));
            }
            if st.done {
                return None;
            }
            tokio::select! {
                ev = st.rx.recv() => match ev {
                    Ok(e) => {
                        st.queue.extend(st.filter.pass(&e));
                        // Whatever else is already waiting goes out in the same write.
                        loop {
                            match st.rx.try_recv() {
                                Ok(more) => st.queue.extend(st.filter.pass(&more)),
                                Err(broadcast::error::TryRecvError::Empty) => break,
                                // Lagged or closed: end the watch, as below.
                                Err(_) => {
                                    st.done = true;
                                    break;
                                }
                            }
                        }
                    }
                    // A watcher too slow to keep up ends its watch; clients re-list and resume.
                    Err(_) => st.done = true,
                },
                _ = tokio::time::sleep_until(st.deadline) => st.done = true,
                _ = st.stopping.changed() => st.done = true,
            }
        }
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CACHE_CONTROL, "no-cache, private")
        .body(Body::from_stream(body))
        .map_err(|e| ApiError::Internal(e.to_string()))
}
