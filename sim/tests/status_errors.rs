//! Errors as real `Status` objects over HTTP: 422 with causes, 410 Gone for a compacted
//! watch, 401 without a token, 404 for unknown paths.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod support;

use kubesim::resources::CONFIG_MAP;
use kubesim::server::{RunningSim, SimConfig};
use kubesim::store::HISTORY;
use serde_json::{Value, json};

fn http(sim: &RunningSim) -> reqwest::Client {
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(sim.ca_pem.as_bytes()).unwrap())
        .timeout(std::time::Duration::from_secs(10))
        .no_proxy()
        .build()
        .unwrap()
}

#[tokio::test]
async fn status_objects() {
    let sim = RunningSim::start(SimConfig::default()).await.unwrap();
    let c = http(&sim);
    let url = format!("{}/api/v1/namespaces/default/configmaps", sim.url());

    let r = c.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let s: Value = r.json().await.unwrap();
    assert_eq!(
        (s["kind"].as_str(), s["reason"].as_str()),
        (Some("Status"), Some("Unauthorized"))
    );

    let r = c
        .post(&url)
        .bearer_auth(&sim.tokens.admin)
        .json(&json!({"metadata": {"name": "Bad_Name"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let s: Value = r.json().await.unwrap();
    assert_eq!(s["reason"], "Invalid");
    assert_eq!(s["details"]["causes"][0]["field"], "metadata.name");
    assert!(
        s["message"]
            .as_str()
            .unwrap()
            .starts_with("ConfigMap \"Bad_Name\" is invalid: metadata.name: "),
        "{s}"
    );

    let r = c
        .post(format!("{}/api/v1/namespaces/nope/configmaps", sim.url()))
        .bearer_auth(&sim.tokens.admin)
        .json(&json!({"metadata": {"name": "x"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        r.json::<Value>().await.unwrap()["message"],
        "namespaces \"nope\" not found"
    );

    let r = c
        .get(format!("{}/apis/nothing.example/v1/things", sim.url()))
        .bearer_auth(&sim.tokens.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // Push the history past its bound so resourceVersion 1 is compacted away.
    let cms = &CONFIG_MAP;
    sim.store
        .create(
            cms,
            "default",
            json!({"metadata": {"name": "churn"}, "data": {"n": "0"}}),
        )
        .unwrap();
    for i in 0..(HISTORY + 10) {
        sim.store
            .modify(cms, "default", "churn", |o| {
                o["data"]["n"] = json!(i.to_string());
                Ok(())
            })
            .unwrap();
    }
    let r = c
        .get(format!("{url}?watch=true&resourceVersion=1"))
        .bearer_auth(&sim.tokens.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 410);
    let s: Value = r.json().await.unwrap();
    assert_eq!(s["reason"], "Expired");
    assert!(
        s["message"]
            .as_str()
            .unwrap()
            .starts_with("too old resource version: 1"),
        "{s}"
    );

    // A recent version still resumes, replaying what came after it.
    let recent = sim.store.resource_version() - 2;
    let r = c
        .get(format!(
            "{url}?watch=true&resourceVersion={recent}&timeoutSeconds=1"
        ))
        .bearer_auth(&sim.tokens.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    assert_eq!(body.lines().count(), 2, "{body}");
    assert!(body.lines().all(|l| l.contains("\"type\":\"MODIFIED\"")));
}

/// Updates the API server refuses, as kubectl shows them: a claim's class, a Deployment's
/// selector, a Pending claim's growth. A Deployment may still scale.
#[tokio::test]
async fn immutable_fields_are_refused_with_the_real_messages() {
    let k = support::Kube::start().await;
    k.ok_stdin(
        &["apply", "-f", "-"],
        Some(
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: fast-ssd\n  resources: {requests: {storage: 1Gi}}\n",
        ),
    )
    .await;
    let out = k
        .run(
            &[
                "patch",
                "pvc",
                "data",
                "-p",
                r#"{"spec":{"storageClassName":"standard"}}"#,
            ],
            None,
        )
        .await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("The PersistentVolumeClaim \"data\" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"),
        "{err}"
    );
    // Growing it is the resize admission plugin's to judge: not before it is bound.
    let out = k
        .run(
            &[
                "patch",
                "pvc",
                "data",
                "-p",
                r#"{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}"#,
            ],
            None,
        )
        .await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("persistentvolumeclaims \"data\" is forbidden: Only bound persistent volume claims can be expanded"),
        "{err}"
    );
    k.ok(&[
        "create",
        "deployment",
        "web",
        "--image=busybox:1.36",
        "--",
        "sleep",
        "3600",
    ])
    .await;
    k.ok(&["scale", "deployment", "web", "--replicas=2"]).await;
    let out = k
        .run(
            &["patch", "deployment", "web", "-p", r#"{"spec":{"selector":{"matchLabels":{"app":"api"}},"template":{"metadata":{"labels":{"app":"api"}}}}}"#],
            None,
        )
        .await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success()
            && err.contains("spec.selector: Invalid value")
            && err.contains("field is immutable"),
        "{err}"
    );
}
