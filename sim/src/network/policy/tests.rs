use serde_json::{Value, json};

use super::nft::{Addresses, script};
use super::*;

fn pod(ns: &str, name: &str, ip: &str, labels: Value) -> Value {
    json!({
        "metadata": {"namespace": ns, "name": name, "labels": labels},
        "spec": {"containers": [{"name": "c", "ports": [
            {"name": "http", "containerPort": 8080, "protocol": "TCP"},
            {"name": "dns", "containerPort": 53, "protocol": "UDP"}
        ]}]},
        "status": {"podIP": ip}
    })
}

fn namespace(name: &str, labels: Value) -> Value {
    json!({"metadata": {"name": name, "labels": labels}})
}

fn policy(ns: &str, spec: Value) -> Value {
    let mut spec = spec;
    if spec.get("policyTypes").is_none() {
        let mut types = vec!["Ingress"];
        if spec.get("egress").is_some() {
            types.push("Egress");
        }
        spec["policyTypes"] = json!(types);
    }
    json!({"metadata": {"namespace": ns, "name": "p"}, "spec": spec})
}

struct World {
    policies: Vec<Value>,
    pods: Vec<Value>,
    namespaces: Vec<Value>,
}

impl World {
    fn new(policies: Vec<Value>) -> Self {
        World {
            policies,
            pods: vec![
                pod("shop", "web", "10.244.0.2", json!({"app": "web"})),
                pod("shop", "client", "10.244.0.3", json!({"role": "client"})),
                pod("shop", "other", "10.244.0.4", json!({"role": "other"})),
                pod("ops", "probe", "10.244.0.5", json!({"role": "client"})),
            ],
            namespaces: vec![
                namespace("shop", json!({"kubernetes.io/metadata.name": "shop"})),
                namespace(
                    "ops",
                    json!({"kubernetes.io/metadata.name": "ops", "team": "ops"}),
                ),
            ],
        }
    }

    fn firewall(&self, name: &str) -> PodFirewall {
        let cluster = Cluster {
            policies: &self.policies,
            pods: &self.pods,
            namespaces: &self.namespaces,
        };
        let pod = self
            .pods
            .iter()
            .find(|p| p["metadata"]["name"] == name)
            .unwrap();
        cluster.firewall(pod)
    }
}

fn tcp(n: u16) -> PortRange {
    PortRange {
        protocol: Protocol::Tcp,
        ports: Some((n, n)),
    }
}

fn from(ip: &str, ports: Vec<PortRange>) -> Allow {
    Allow {
        peer: Some(host(ip)),
        ports,
    }
}

#[test]
fn pods_no_policy_selects_stay_open() {
    let w = World::new(vec![policy(
        "shop",
        json!({"podSelector": {"matchLabels": {"app": "web"}}}),
    )]);
    assert!(w.firewall("client").is_open());
    assert!(w.firewall("probe").is_open(), "another namespace");
}

#[test]
fn a_default_deny_isolates_without_allowing_anything() {
    let w = World::new(vec![policy("shop", json!({"podSelector": {}}))]);
    let fw = w.firewall("web");
    assert_eq!(fw.ingress, Some(vec![]));
    assert_eq!(fw.egress, None, "policyTypes defaults to Ingress only");
    let text = script(&fw, &addresses());
    assert!(text.contains("hook input"), "{text}");
    assert!(text.trim_end().ends_with("drop\n  }\n}"), "{text}");
    assert!(!text.contains("hook output"), "{text}");
}

#[test]
fn a_pod_selector_peer_is_its_namespace_s_matching_pods() {
    let w = World::new(vec![policy(
        "shop",
        json!({
            "podSelector": {"matchLabels": {"app": "web"}},
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"role": "client"}}}],
                         "ports": [{"port": 8080}]}]
        }),
    )]);
    // ops/probe has the label too, but a bare podSelector means the policy's namespace.
    assert_eq!(
        w.firewall("web").ingress,
        Some(vec![from("10.244.0.3", vec![tcp(8080)])])
    );
}

#[test]
fn a_namespace_selector_and_pod_selector_in_one_peer_both_apply() {
    let w = World::new(vec![policy(
        "shop",
        json!({
            "podSelector": {"matchLabels": {"app": "web"}},
            "ingress": [{"from": [{
                "namespaceSelector": {"matchLabels": {"team": "ops"}},
                "podSelector": {"matchLabels": {"role": "client"}}
            }]}]
        }),
    )]);
    assert_eq!(
        w.firewall("web").ingress,
        Some(vec![from("10.244.0.5", vec![])])
    );
}

#[test]
fn named_ports_are_looked_up_on_the_receiving_pod_and_ranges_kept() {
    let w = World::new(vec![policy(
        "shop",
        json!({
            "podSelector": {"matchLabels": {"app": "web"}},
            "ingress": [{"ports": [
                {"port": "http"},
                {"port": "no-such-port"},
                {"port": 9000, "endPort": 9010, "protocol": "TCP"},
                {"protocol": "UDP"}
            ]}]
        }),
    )]);
    let fw = w.firewall("web");
    let ports = vec![
        tcp(8080),
        PortRange {
            protocol: Protocol::Tcp,
            ports: Some((9000, 9010)),
        },
        PortRange {
            protocol: Protocol::Udp,
            ports: None,
        },
    ];
    assert_eq!(
        fw.ingress,
        Some(vec![Allow {
            peer: None,
            ports: ports.clone()
        }])
    );
    let text = script(&fw, &addresses());
    for line in [
        "tcp dport 8080 accept",
        "tcp dport 9000-9010 accept",
        "meta l4proto udp accept",
    ] {
        assert!(text.contains(line), "{line} missing from {text}");
    }
}

#[test]
fn a_rule_whose_only_port_name_nobody_has_allows_nothing() {
    let w = World::new(vec![policy(
        "shop",
        json!({
            "podSelector": {"matchLabels": {"app": "web"}},
            "ingress": [{"ports": [{"port": "metrics"}]}]
        }),
    )]);
    assert_eq!(w.firewall("web").ingress, Some(vec![]));
}

#[test]
fn egress_isolation_allows_the_named_destinations_and_dns_only_when_a_rule_does() {
    let mut w = World::new(vec![policy(
        "shop",
        json!({
            "podSelector": {"matchLabels": {"role": "client"}},
            "policyTypes": ["Egress"],
            "egress": [
                {"to": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": "http"}]},
                {"to": [{"ipBlock": {"cidr": "192.168.0.0/16", "except": ["192.168.1.0/24"]}}]}
            ]
        }),
    )]);
    let fw = w.firewall("client");
    assert_eq!(fw.ingress, None);
    assert_eq!(
        fw.egress,
        Some(vec![
            from("10.244.0.2", vec![tcp(8080)]),
            Allow {
                peer: Some(Block {
                    cidr: "192.168.0.0/16".into(),
                    except: vec!["192.168.1.0/24".into()]
                }),
                ports: vec![]
            }
        ])
    );
    let text = script(&fw, &addresses());
    assert!(
        text.contains("ip daddr 192.168.0.0/16 ip daddr != { 192.168.1.0/24 } accept"),
        "{text}"
    );
    // The DNS is dropped before Service addresses are let through to kube-proxy.
    let dns = text.find("ip daddr 10.96.0.10 drop").expect(&text);
    let services = text.find("ip daddr 10.96.0.0/12 accept").expect(&text);
    assert!(dns < services, "{text}");

    // A rule to kube-system's DNS pods on port 53 lets the pod resolve names.
    w.namespaces.push(namespace(
        "kube-system",
        json!({"kubernetes.io/metadata.name": "kube-system"}),
    ));
    w.pods.push(pod(
        "kube-system",
        "dns",
        "10.96.0.10",
        json!({"k8s-app": "kube-dns"}),
    ));
    w.policies[0]["spec"]["egress"]
        .as_array_mut()
        .unwrap()
        .push(json!({
            "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
            "ports": [{"port": 53, "protocol": "UDP"}]
        }));
    let text = script(&w.firewall("client"), &addresses());
    let allowed = text
        .find("ip daddr 10.96.0.10/32 udp dport 53 accept")
        .expect(&text);
    assert!(allowed < text.find("ip daddr 10.96.0.10 drop").unwrap());
}

#[test]
fn an_open_pod_s_script_only_tracks_connections() {
    let text = script(&PodFirewall::default(), &addresses());
    assert!(text.starts_with("table inet kubesim_policy {}\ndelete table inet kubesim_policy\n"));
    assert!(
        text.contains("ct state established,related accept"),
        "{text}"
    );
    assert!(!text.contains("drop"), "{text}");
}

fn addresses() -> Addresses {
    Addresses {
        node: "10.244.0.1".parse().unwrap(),
        dns: "10.96.0.10".parse().unwrap(),
    }
}
