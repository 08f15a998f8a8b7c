//! NetworkPolicy as a policy-enforcing CNI plugin reads it: a pod selected by a policy of
//! a direction (`policyTypes`) is isolated in that direction, and then only what some rule
//! of those policies allows passes — the union of their rules. Peers are resolved to
//! addresses from the pods and namespaces that exist now; ports by number, range or name
//! (a name is looked up on the pod that receives the traffic). The result is a plain
//! description per pod (`PodFirewall`); `nft` turns it into the packet filter.

pub mod nft;

use serde_json::Value;

use crate::selector::LabelSelector;

/// Which way traffic goes, as `policyTypes` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Traffic to the pod (`from` peers).
    Ingress,
    /// Traffic from the pod (`to` peers).
    Egress,
}

impl Direction {
    fn policy_type(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }

    fn rules_key(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }

    fn peers_key(self) -> &'static str {
        match self {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        }
    }
}

/// An address range a rule admits: `cidr` minus `except`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// `10.244.0.7/32`, or an `ipBlock`'s CIDR.
    pub cidr: String,
    /// Ranges inside it that are not admitted.
    pub except: Vec<String>,
}

/// The transport protocol of a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// TCP (the default).
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Sctp,
}

impl Protocol {
    fn parse(s: Option<&str>) -> Self {
        match s {
            Some("UDP") => Protocol::Udp,
            Some("SCTP") => Protocol::Sctp,
            _ => Protocol::Tcp,
        }
    }
}

/// A port (or range) of one protocol; `None` is every port of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRange {
    /// The protocol.
    pub protocol: Protocol,
    /// First and last port, or every port.
    pub ports: Option<(u16, u16)>,
}

/// One thing a pod's filter lets through: from (or to) `peer`, on `ports` (empty: any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allow {
    /// The other side's addresses; `None` is any address.
    pub peer: Option<Block>,
    /// The ports on the receiving pod; empty is every port and protocol.
    pub ports: Vec<PortRange>,
}

/// A pod's filter in both directions: `None` where it is not isolated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodFirewall {
    /// What may reach the pod, when a policy isolates it for ingress.
    pub ingress: Option<Vec<Allow>>,
    /// What the pod may reach, when a policy isolates it for egress.
    pub egress: Option<Vec<Allow>>,
}

impl PodFirewall {
    /// Whether the pod is isolated in neither direction (no filter needed).
    pub fn is_open(&self) -> bool {
        self.ingress.is_none() && self.egress.is_none()
    }
}

/// What the policies are evaluated against: the cluster as it is now.
pub struct Cluster<'a> {
    /// Every NetworkPolicy.
    pub policies: &'a [Value],
    /// Every pod that has an address (peers resolve to these).
    pub pods: &'a [Value],
    /// Every namespace (namespace selectors match their labels).
    pub namespaces: &'a [Value],
}

fn ns_of(obj: &Value) -> &str {
    obj["metadata"]["namespace"].as_str().unwrap_or("default")
}

fn labels(obj: &Value) -> Option<&serde_json::Map<String, Value>> {
    obj["metadata"]["labels"].as_object()
}

fn pod_ip(pod: &Value) -> Option<&str> {
    pod["status"]["podIP"].as_str().filter(|ip| !ip.is_empty())
}

impl Cluster<'_> {
    /// The filter `pod` needs.
    pub fn firewall(&self, pod: &Value) -> PodFirewall {
        PodFirewall {
            ingress: self.direction(pod, Direction::Ingress),
            egress: self.direction(pod, Direction::Egress),
        }
    }

    /// The policies that select `pod` for `dir`, and what their rules allow.
    fn direction(&self, pod: &Value, dir: Direction) -> Option<Vec<Allow>> {
        let mut isolated = false;
        let mut allows = Vec::new();
        for policy in self.policies {
            if ns_of(policy) != ns_of(pod) {
                continue;
            }
            let spec = &policy["spec"];
            let typed = spec["policyTypes"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t.as_str() == Some(dir.policy_type())));
            if !typed || !LabelSelector::from_object(&spec["podSelector"]).matches(labels(pod)) {
                continue;
            }
            isolated = true;
            for rule in spec[dir.rules_key()].as_array().into_iter().flatten() {
                allows.extend(self.rule(policy, pod, rule, dir));
            }
        }
        isolated.then_some(allows)
    }

    /// What one rule allows: each peer on each of its ports.
    fn rule(&self, policy: &Value, pod: &Value, rule: &Value, dir: Direction) -> Vec<Allow> {
        let ports: Vec<&Value> = rule["ports"].as_array().into_iter().flatten().collect();
        let peers: Vec<&Value> = rule[dir.peers_key()]
            .as_array()
            .into_iter()
            .flatten()
            .collect();
        // Each target: an address range and the pod behind it (where a named port is
        // looked up on egress).
        let mut targets: Vec<(Option<Block>, Option<&Value>)> = Vec::new();
        if peers.is_empty() {
            targets.push((None, None));
        }
        for peer in peers {
            targets.extend(self.peer(policy, peer));
        }
        let mut out = Vec::new();
        for (block, other) in targets {
            // A named port belongs to the pod that receives the traffic.
            let receiver = match dir {
                Direction::Ingress => Some(pod),
                Direction::Egress => other,
            };
            let resolved = resolve_ports(&ports, receiver);
            if !ports.is_empty() && resolved.is_empty() {
                continue;
            }
            if block.is_none() && dir == Direction::Egress && has_named(&ports) {
                // "Any destination on port `http`": every pod with such a port.
                for p in self.pods {
                    let resolved = resolve_ports(&ports, Some(p));
                    if let (Some(ip), false) = (pod_ip(p), resolved.is_empty()) {
                        out.push(Allow {
                            peer: Some(host(ip)),
                            ports: resolved,
                        });
                    }
                }
                continue;
            }
            out.push(Allow {
                peer: block,
                ports: resolved,
            });
        }
        out
    }

    /// The addresses one `from`/`to` entry names, each with its pod where it is one.
    fn peer<'p>(&'p self, policy: &Value, peer: &Value) -> Vec<(Option<Block>, Option<&'p Value>)> {
        if let Some(block) = peer.get("ipBlock").filter(|b| b.is_object()) {
            let Some(cidr) = block["cidr"].as_str() else {
                return Vec::new();
            };
            let except = block["except"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| e.as_str().map(String::from))
                .collect();
            return vec![(
                Some(Block {
                    cidr: cidr.into(),
                    except,
                }),
                None,
            )];
        }
        let pod_sel = peer
            .get("podSelector")
            .filter(|s| s.is_object())
            .map(LabelSelector::from_object);
        let ns_sel = peer
            .get("namespaceSelector")
            .filter(|s| s.is_object())
            .map(LabelSelector::from_object);
        let in_namespace = |pod: &Value| match &ns_sel {
            // Without a namespace selector, the policy's own namespace.
            None => ns_of(pod) == ns_of(policy),
            Some(sel) => self.namespaces.iter().any(|ns| {
                ns["metadata"]["name"].as_str() == Some(ns_of(pod)) && sel.matches(labels(ns))
            }),
        };
        self.pods
            .iter()
            .filter(|p| in_namespace(p))
            .filter(|p| pod_sel.as_ref().is_none_or(|s| s.matches(labels(p))))
            .filter_map(|p| pod_ip(p).map(|ip| (Some(host(ip)), Some(p))))
            .collect()
    }
}

fn host(ip: &str) -> Block {
    Block {
        cidr: format!("{ip}/32"),
        except: Vec::new(),
    }
}

fn has_named(ports: &[&Value]) -> bool {
    ports.iter().any(|p| p["port"].is_string())
}

/// A rule's ports as numbers; a named port is looked up on `receiver` (and matches
/// nothing where it has no such port).
fn resolve_ports(ports: &[&Value], receiver: Option<&Value>) -> Vec<PortRange> {
    let mut out = Vec::new();
    for p in ports {
        let protocol = Protocol::parse(p["protocol"].as_str());
        let range = match &p["port"] {
            Value::Null => None,
            Value::String(name) => {
                let Some(n) = receiver.and_then(|r| named_port(r, name, protocol)) else {
                    continue;
                };
                Some((n, n))
            }
            v => {
                let Some(first) = v.as_u64().and_then(|n| u16::try_from(n).ok()) else {
                    continue;
                };
                let last = p["endPort"]
                    .as_u64()
                    .and_then(|n| u16::try_from(n).ok())
                    .unwrap_or(first);
                Some((first, last.max(first)))
            }
        };
        out.push(PortRange {
            protocol,
            ports: range,
        });
    }
    out
}

/// The number of the container port called `name` with `protocol` on `pod`.
fn named_port(pod: &Value, name: &str, protocol: Protocol) -> Option<u16> {
    pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["ports"].as_array().into_iter().flatten())
        .find(|p| {
            p["name"].as_str() == Some(name) && Protocol::parse(p["protocol"].as_str()) == protocol
        })
        .and_then(|p| p["containerPort"].as_u64())
        .and_then(|n| u16::try_from(n).ok())
}

#[cfg(test)]
mod tests;
