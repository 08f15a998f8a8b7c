//! `rbac-forbidden`: the API server refused the workload something — its log (or an event)
//! carries the 403 message `User "system:serviceaccount:NS:SA" cannot VERB resource "RES" in
//! API group "G" in the namespace "N"`. The finding names the verb, the resource and the
//! ServiceAccount, and says how to grant exactly that; granting is a person's decision, so
//! nothing is changed for them.

use super::Container;
use crate::analyzers::{Finding, Severity};

/// One refusal, read from the API server's message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Denial {
    /// The user, e.g. `system:serviceaccount:shop:reader`.
    pub user: String,
    /// The verb, e.g. `list`.
    pub verb: String,
    /// The resource (with its subresource), e.g. `pods` or `pods/log`.
    pub resource: String,
    /// The API group (`` for the core group).
    pub group: String,
    /// The namespace, or `None` at the cluster scope.
    pub namespace: Option<String>,
}

/// The text between `before` and the next `"` after it.
fn quoted<'a>(text: &'a str, before: &str) -> Option<&'a str> {
    let rest = &text[text.find(before)? + before.len()..];
    rest.split('"').next()
}

/// Reads the API server's 403 message anywhere in `line`, also inside a structured log
/// field that escapes its quotes (klog: `err="… User \"x\" cannot …"`).
pub(crate) fn denial(line: &str) -> Option<Denial> {
    let unescaped = line.replace("\\\"", "\"").replace("\\\\", "\\");
    let line = unescaped.as_str();
    let user = quoted(line, "forbidden: User \"")?;
    let verb = line[line.find("\" cannot ")? + 9..]
        .split_whitespace()
        .next()?;
    Some(Denial {
        user: user.to_string(),
        verb: verb.to_string(),
        resource: quoted(line, "resource \"")?.to_string(),
        group: quoted(line, "in API group \"")
            .unwrap_or_default()
            .to_string(),
        namespace: quoted(line, "in the namespace \"").map(str::to_string),
    })
}

impl Denial {
    /// The ServiceAccount (namespace, name) when the user is one.
    fn service_account(&self) -> Option<(&str, &str)> {
        self.user
            .strip_prefix("system:serviceaccount:")?
            .split_once(':')
    }

    /// The kubectl commands that grant exactly this, for a person to decide on.
    fn grant(&self) -> String {
        let resource = if self.group.is_empty() {
            self.resource.clone()
        } else {
            format!("{}.{}", self.resource, self.group)
        };
        let who = match self.service_account() {
            Some((ns, sa)) => format!("--serviceaccount={ns}:{sa}"),
            None => format!("--user={}", self.user),
        };
        let name = format!(
            "{}-{}-{}",
            self.service_account().map_or("user", |(_, sa)| sa),
            self.verb,
            self.resource.replace('/', "-")
        );
        match &self.namespace {
            Some(ns) => format!(
                "kubectl -n {ns} create role {name} --verb={} --resource={resource} && kubectl -n {ns} create rolebinding {name} --role={name} {who}",
                self.verb
            ),
            None => format!(
                "kubectl create clusterrole {name} --verb={} --resource={resource} && kubectl create clusterrolebinding {name} --clusterrole={name} {who}",
                self.verb
            ),
        }
    }
}

/// The finding when the container's log or its pod's events carry a refusal.
pub(super) fn check(c: &Container) -> Option<Finding> {
    let logs = [
        c.logs.recent(c.pod_name, c.name),
        c.logs.get(c.pod_name, c.name),
    ];
    let (line, d) = logs
        .into_iter()
        .flatten()
        .flat_map(str::lines)
        .chain(c.events.iter().map(String::as_str))
        .find_map(|l| denial(l).map(|d| (l, d)))?;
    let who = match d.service_account() {
        Some((ns, sa)) => format!("service account {ns}/{sa}"),
        None => format!("user {}", d.user),
    };
    let group = if d.group.is_empty() {
        String::new()
    } else {
        format!(" (API group {})", d.group)
    };
    let place = d.namespace.as_ref().map_or_else(
        || "at the cluster scope".to_string(),
        |n| format!("in namespace {n}"),
    );
    let mut f = c.finding(
        "rbac-forbidden",
        format!(
            "{who} may not {} {}{group} {place}, and container {} needs to",
            d.verb, d.resource, c.name
        ),
        vec![
            format!("denied: {}", line.chars().take(400).collect::<String>()),
            format!(
                "the pod runs as {}",
                c.pod["spec"]["serviceAccountName"]
                    .as_str()
                    .unwrap_or("default")
            ),
        ],
        "rbac",
        vec![],
    );
    let grant = d.service_account().and_then(|account| {
        crate::analyzers::kinds::grant_missing_verb(
            c.snap,
            &crate::analyzers::kinds::Refusal {
                account,
                verb: &d.verb,
                resource: &d.resource,
                group: &d.group,
            },
        )
    });
    match grant {
        // A Role meant to allow this resource lacks the verb the workload needs: a repair
        // the evidence decides.
        Some(change) => {
            f.evidence.push(format!("repair: {}", change.basis));
            f.changes.push(change);
        }
        None => {
            f.severity = Severity::Warning;
            f.suggested_action = Some(format!(
                "if {who} should be allowed, grant exactly that: {}",
                d.grant()
            ));
        }
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_server_s_refusals_are_read() {
        let line = r#"2026-11-30 ERROR listing pods: pods is forbidden: User "system:serviceaccount:shop:reader" cannot list resource "pods" in API group "" in the namespace "shop""#;
        let d = denial(line).unwrap();
        assert_eq!(d.verb, "list");
        assert_eq!(d.resource, "pods");
        assert_eq!(d.namespace.as_deref(), Some("shop"));
        assert_eq!(
            d.grant(),
            "kubectl -n shop create role reader-list-pods --verb=list --resource=pods && kubectl -n shop create rolebinding reader-list-pods --role=reader-list-pods --serviceaccount=shop:reader"
        );
        let cluster = denial(r#"nodes is forbidden: User "alice" cannot watch resource "nodes" in API group "" at the cluster scope"#).unwrap();
        assert_eq!(cluster.namespace, None);
        assert!(
            cluster
                .grant()
                .starts_with("kubectl create clusterrole user-watch-nodes")
        );
        let grouped = denial(r#"deployments.apps "web" is forbidden: User "system:serviceaccount:ci:deployer" cannot patch resource "deployments" in API group "apps" in the namespace "prod""#).unwrap();
        assert_eq!(grouped.group, "apps");
        assert!(grouped.grant().contains("--resource=deployments.apps"));
        assert_eq!(denial("INFO all good; nobody is forbidden here"), None);
        // client-go's klog line escapes the quotes of the error it carries.
        let klog = r#"E1130 10:00:00.000000 1 reflector.go:158] "Unhandled Error" err="failed to list *v1.Pod: pods is forbidden: User \"system:serviceaccount:warehouse:watcher\" cannot list resource \"pods\" in API group \"\" in the namespace \"warehouse\"""#;
        let d = denial(klog).unwrap();
        assert_eq!(d.user, "system:serviceaccount:warehouse:watcher");
        assert_eq!((d.verb.as_str(), d.resource.as_str()), ("list", "pods"));
        assert_eq!(d.namespace.as_deref(), Some("warehouse"));
    }
}
