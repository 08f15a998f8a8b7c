//! Fault scenarios: the chatbot broken the way a person breaks it — a Helm values change or
//! an object edit, never a faked status — so the real cause is there to find and to fix.

use std::path::Path;

use anyhow::{Context, Result, bail};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Secret, Service};
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use todo_ops_tools::helm::{self, ActionOptions, Chart};
use todo_ops_tools::values::ValuesPatch;

use crate::ops::connect::{helm_client, kubeconfig_target};

/// How a scenario breaks the deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakage {
    /// `helm upgrade` of a release with a values patch.
    Values(&'static str),
    /// Edits of cluster objects (as `kubectl edit` would).
    Edit,
}

/// One fault scenario.
#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    /// Its name on the command line.
    pub name: &'static str,
    /// What is broken, in one line.
    pub broken: &'static str,
    /// The values change (or command) that repairs it, in one line.
    pub repair: &'static str,
    /// How it is applied.
    pub breakage: Breakage,
}

/// Every scenario.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "image-tag-missing",
        broken: "the backend image tag v9.9.9 does not exist: ErrImagePull, ImagePullBackOff",
        repair: "todo-backend image.tag=latest",
        breakage: Breakage::Values("todo-backend"),
    },
    Scenario {
        name: "secret-key-missing",
        broken: "the backend reads a Secret without BETTER_AUTH_SECRET: CreateContainerConfigError",
        repair: "todo-backend existingSecret=\"\" (use the chart's own Secret)",
        breakage: Breakage::Values("todo-backend"),
    },
    Scenario {
        name: "database-url-wrong",
        broken: "DATABASE_URL points at a closed port: the backend exits 1, CrashLoopBackOff",
        repair: "todo-backend secrets.databaseUrl=<the right URL>",
        breakage: Breakage::Values("todo-backend"),
    },
    Scenario {
        name: "auth-secret-short",
        broken: "BETTER_AUTH_SECRET edited to 9 characters in the Secret: the backend exits 1, CrashLoopBackOff",
        repair: "todo-backend secrets.betterAuthSecret=<32 or more random characters>",
        breakage: Breakage::Edit,
    },
    Scenario {
        name: "memory-limit-low",
        broken: "the backend memory limit is 4Mi: OOMKilled (exit 137), CrashLoopBackOff",
        repair: "todo-backend resources.limits.memory=256Mi",
        breakage: Breakage::Values("todo-backend"),
    },
    Scenario {
        name: "requests-too-large",
        broken: "the backend requests 4 CPUs on a 2-CPU node: Pending, FailedScheduling",
        repair: "todo-backend resources.requests.cpu=100m (and limits.cpu=500m)",
        breakage: Breakage::Values("todo-backend"),
    },
    Scenario {
        name: "readiness-path-wrong",
        broken: "the backend readiness probe asks /readyz (404): pods never Ready, the rollout stalls",
        repair: "helm upgrade todo-backend with its current values (restores /ready)",
        breakage: Breakage::Edit,
    },
    Scenario {
        name: "liveness-too-aggressive",
        broken: "liveness probe with no initial delay and failureThreshold 1: killed before listening, restarts",
        repair: "todo-backend probes.liveness={initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 3}",
        breakage: Breakage::Values("todo-backend"),
    },
    Scenario {
        name: "service-selector-wrong",
        broken: "the todo-backend Service selects app.kubernetes.io/name=todo-api: no endpoints, the UI gets 503",
        repair: "helm upgrade todo-backend with its current values (restores the selector)",
        breakage: Breakage::Edit,
    },
    Scenario {
        name: "backend-url-wrong",
        broken: "the frontend BACKEND_URL is http://todo-api:8000, which does not exist: every /api call fails",
        repair: "todo-frontend config.backendUrl=http://todo-backend:8000",
        breakage: Breakage::Values("todo-frontend"),
    },
    Scenario {
        name: "scaled-to-zero",
        broken: "the backend is scaled to 0 replicas: no endpoints, the UI gets 503",
        repair: "todo-backend replicaCount=2",
        breakage: Breakage::Values("todo-backend"),
    },
];

/// Looks a scenario up by name.
pub fn find(name: &str) -> Result<&'static Scenario> {
    SCENARIOS.iter().find(|s| s.name == name).with_context(|| {
        format!(
            "unknown scenario {name:?}; known: {}",
            SCENARIOS
                .iter()
                .map(|s| s.name)
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// The values patch that breaks a Values scenario.
pub fn breaking_patch(name: &str) -> Option<Value> {
    Some(match name {
        "image-tag-missing" => json!({"image": {"tag": "v9.9.9"}}),
        "secret-key-missing" => json!({"existingSecret": "todo-backend-partial"}),
        "database-url-wrong" => {
            json!({"secrets": {"databaseUrl": "postgres://todo@127.0.0.1:1/todo"}})
        }
        "memory-limit-low" => {
            json!({"resources": {"limits": {"memory": "4Mi"}, "requests": {"memory": "4Mi"}}})
        }
        "requests-too-large" => {
            json!({"resources": {"requests": {"cpu": "4"}, "limits": {"cpu": "4"}}})
        }
        "liveness-too-aggressive" => {
            json!({"probes": {"liveness": {"initialDelaySeconds": 0, "periodSeconds": 1, "timeoutSeconds": 1, "failureThreshold": 1}}})
        }
        "backend-url-wrong" => json!({"config": {"backendUrl": "http://todo-api:8000"}}),
        "scaled-to-zero" => json!({"replicaCount": 0}),
        _ => return None,
    })
}

/// The values patch that repairs a Values scenario (`None`: re-apply the release as it is).
pub fn repairing_patch(name: &str, good_database_url: &str) -> Option<Value> {
    Some(match name {
        "image-tag-missing" => json!({"image": {"tag": "latest"}}),
        "secret-key-missing" => json!({"existingSecret": ""}),
        "database-url-wrong" => json!({"secrets": {"databaseUrl": good_database_url}}),
        "memory-limit-low" => {
            json!({"resources": {"limits": {"memory": "256Mi"}, "requests": {"memory": "64Mi"}}})
        }
        "requests-too-large" => {
            json!({"resources": {"requests": {"cpu": "100m"}, "limits": {"cpu": "500m"}}})
        }
        "liveness-too-aggressive" => {
            json!({"probes": {"liveness": {"initialDelaySeconds": 5, "periodSeconds": 10, "timeoutSeconds": 2, "failureThreshold": 3}}})
        }
        "auth-secret-short" => {
            json!({"secrets": {"betterAuthSecret": "repaired-auth-secret-0123456789abcdefghijklmn"}})
        }
        "backend-url-wrong" => json!({"config": {"backendUrl": "http://todo-backend:8000"}}),
        "scaled-to-zero" => json!({"replicaCount": 2}),
        _ => return None,
    })
}

async fn kube_client(kubeconfig: &Path) -> Result<kube::Client> {
    Ok(kubeconfig_target(kubeconfig).connect().await?.client)
}

/// `helm upgrade RELEASE` with `patch` over its current values (no wait).
pub async fn upgrade(kubeconfig: &Path, charts: &Path, release: &str, patch: Value) -> Result<()> {
    let client = helm_client(&kubeconfig_target(kubeconfig), None)?;
    let chart = Chart::load(charts.join(release))?;
    let patch = ValuesPatch::new(patch).map_err(anyhow::Error::msg)?;
    let name = release.to_string();
    helm::blocking("upgrade", move || {
        client.upgrade_with_patch(&chart, &name, &patch, &ActionOptions::restoring())
    })
    .await
    .with_context(|| format!("helm upgrade {release}"))?;
    Ok(())
}

/// Breaks the running chatbot as the scenario says.
pub async fn apply(s: &Scenario, kubeconfig: &Path, charts: &Path) -> Result<()> {
    match s.breakage {
        Breakage::Values(release) => {
            if s.name == "secret-key-missing" {
                // The Secret exists, but without BETTER_AUTH_SECRET.
                let secrets: Api<Secret> =
                    Api::namespaced(kube_client(kubeconfig).await?, "default");
                // data: base64("sqlite:///tmp/unused.db")
                let partial: Secret = serde_json::from_value(json!({
                    "metadata": {"name": "todo-backend-partial"},
                    "data": {"DATABASE_URL": "c3FsaXRlOi8vL3RtcC91bnVzZWQuZGI="},
                }))?;
                let _ = secrets.create(&PostParams::default(), &partial).await;
            }
            let patch = breaking_patch(s.name)
                .with_context(|| format!("scenario {} has no values patch", s.name))?;
            upgrade(kubeconfig, charts, release, patch).await
        }
        Breakage::Edit => {
            let client = kube_client(kubeconfig).await?;
            let pp = PatchParams::default();
            match s.name {
                "auth-secret-short" => {
                    let secrets: Api<Secret> = Api::namespaced(client.clone(), "default");
                    // base64("too-short")
                    secrets
                        .patch(
                            "todo-backend-secrets",
                            &pp,
                            &Patch::Merge(json!({"data": {"BETTER_AUTH_SECRET": "dG9vLXNob3J0"}})),
                        )
                        .await?;
                    let deploys: Api<Deployment> = Api::namespaced(client, "default");
                    deploys.restart("todo-backend").await?;
                }
                "readiness-path-wrong" => {
                    let deploys: Api<Deployment> = Api::namespaced(client, "default");
                    let p = json!({"spec": {"template": {"spec": {"containers": [{"name": "backend", "readinessProbe": {"httpGet": {"path": "/readyz"}}}]}}}});
                    deploys
                        .patch("todo-backend", &pp, &Patch::Strategic(p))
                        .await?;
                }
                "service-selector-wrong" => {
                    let services: Api<Service> = Api::namespaced(client, "default");
                    services
                        .patch("todo-backend", &pp, &Patch::Merge(json!({"spec": {"selector": {"app.kubernetes.io/name": "todo-api"}}})))
                        .await?;
                }
                other => bail!("scenario {other} has no edit"),
            }
            Ok(())
        }
    }
}

/// Repairs a scenario the documented way.
pub async fn repair(
    s: &Scenario,
    kubeconfig: &Path,
    charts: &Path,
    good_database_url: &str,
) -> Result<()> {
    let release = match s.breakage {
        Breakage::Values(r) => r,
        Breakage::Edit => "todo-backend",
    };
    let patch = repairing_patch(s.name, good_database_url).unwrap_or_else(|| json!({}));
    upgrade(kubeconfig, charts, release, patch).await
}
