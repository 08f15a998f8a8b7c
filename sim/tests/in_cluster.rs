//! Pods reach the API server as on a cluster: the ServiceAccount admission plugin mounts a
//! token, the CA and the namespace; the kubelet sets KUBERNETES_SERVICE_HOST/PORT; RBAC
//! decides what the pod's identity may do. Driven with kubectl, inside pods too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use kubesim::kubelet::images::ImageTable;
use support::Kube;

/// Waits until the pod has ended; its phase and log.
async fn ended(k: &Kube, ns: &str, pod: &str) -> (String, String) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let phase = k
            .ok(&[
                "-n",
                ns,
                "get",
                "pod",
                pod,
                "-o",
                "jsonpath={.status.phase}",
            ])
            .await;
        if phase == "Succeeded" || phase == "Failed" {
            return (phase, k.ok(&["-n", ns, "logs", pod]).await);
        }
        assert!(Instant::now() < deadline, "pod {pod} still {phase}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn lister(name: &str, extra: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  restartPolicy: Never\n{extra}  containers:\n  - name: kubectl\n    image: bitnami/kubectl:1.33\n    args: [get, pods, -o, name]\n    env: [{{name: HOME, value: /nonexistent}}]\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pod_s_kubectl_acts_as_its_service_account() {
    let mut images = ImageTable::default();
    images.add_stock();
    let k = Kube::processes(images, 20.0).await;
    k.ok(&["create", "namespace", "ops"]).await;
    // The controller publishes the cluster's CA in every namespace.
    let deadline = Instant::now() + Duration::from_secs(10);
    while k
        .run(&["-n", "ops", "get", "configmap", "kube-root-ca.crt"], None)
        .await
        .status
        .code()
        != Some(0)
    {
        assert!(Instant::now() < deadline, "kube-root-ca.crt never appeared");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    k.ok_stdin(
        &["-n", "ops", "apply", "-f", "-"],
        Some(&lister("before", "")),
    )
    .await;
    let spec = k.json(&["-n", "ops", "get", "pod", "before"]).await;
    let volume = spec["spec"]["volumes"][0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(volume.starts_with("kube-api-access-"), "{}", spec["spec"]);
    assert_eq!(
        spec["spec"]["containers"][0]["volumeMounts"][0]["mountPath"],
        "/var/run/secrets/kubernetes.io/serviceaccount"
    );
    let (phase, log) = ended(&k, "ops", "before").await;
    assert_eq!(phase, "Failed", "{log}");
    assert!(
        log.contains("pods is forbidden: User \"system:serviceaccount:ops:default\" cannot list resource \"pods\" in API group \"\" in the namespace \"ops\""),
        "{log}"
    );
    // Granted the right, the same pod lists the pods of its own namespace.
    k.ok(&[
        "-n",
        "ops",
        "create",
        "role",
        "pod-reader",
        "--verb=list",
        "--resource=pods",
    ])
    .await;
    k.ok(&[
        "-n",
        "ops",
        "create",
        "rolebinding",
        "read-pods",
        "--role=pod-reader",
        "--serviceaccount=ops:default",
    ])
    .await;
    k.ok_stdin(
        &["-n", "ops", "apply", "-f", "-"],
        Some(&lister("after", "")),
    )
    .await;
    let (phase, log) = ended(&k, "ops", "after").await;
    assert_eq!(phase, "Succeeded", "{log}");
    assert!(
        log.contains("pod/before") && log.contains("pod/after"),
        "{log}"
    );
    // A pod that opts out gets no credentials; one naming a missing account is refused.
    k.ok_stdin(
        &["-n", "ops", "apply", "-f", "-"],
        Some(&lister(
            "opted-out",
            "  automountServiceAccountToken: false\n",
        )),
    )
    .await;
    let spec = k.json(&["-n", "ops", "get", "pod", "opted-out"]).await;
    assert!(
        spec["spec"]["volumes"]
            .as_array()
            .is_none_or(|v| v.is_empty()),
        "{}",
        spec["spec"]
    );
    let out = k
        .run(
            &["-n", "ops", "apply", "-f", "-"],
            Some(&lister("ghostly", "  serviceAccountName: ghost\n")),
        )
        .await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("pods \"ghostly\" is forbidden: error looking up service account ops/ghost: serviceaccount \"ghost\" not found"),
        "{err}"
    );
}
