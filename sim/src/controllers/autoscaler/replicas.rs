//! The replica count one resource metric asks for, as the HPA controller's replica
//! calculator computes it: the pods' usage against their requests (utilization) or against
//! an average value, a 10 % tolerance, and pods without metrics counted against the
//! direction of the change. Pure: the usage comes in with the pods.

use serde_json::{Value, json};

use crate::kubelet::usage::ContainerUsage;

/// The tolerance within which the current size is kept.
const TOLERANCE: f64 = 0.1;

/// One target pod and what its containers use (None: no metrics for it yet).
pub struct PodReading<'a> {
    /// The pod.
    pub pod: &'a Value,
    /// Its containers' usage.
    pub usage: Option<Vec<ContainerUsage>>,
}

/// What one metric asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    /// The replica count.
    pub replicas: i64,
    /// The metric's entry in `status.currentMetrics`.
    pub current: Value,
    /// How the metric is named in events: `cpu resource utilization (percentage of request)`.
    pub described: String,
}

/// The metrics of an HPA spec; none means the API's default, 80 % of the CPU request.
pub fn metrics_of(hpa: &Value) -> Vec<Value> {
    match hpa["spec"]["metrics"].as_array() {
        Some(m) if !m.is_empty() => m.clone(),
        _ => vec![json!({"type": "Resource", "resource": {"name": "cpu",
            "target": {"type": "Utilization", "averageUtilization": 80}}})],
    }
}

fn used(u: &[ContainerUsage], resource: &str) -> i128 {
    u.iter()
        .map(|c| {
            if resource == "cpu" {
                i128::from(c.cpu_milli)
            } else {
                i128::from(c.memory_bytes) * 1000
            }
        })
        .sum()
}

/// The pod's request of `resource` in thousandths, or the controller's error naming the
/// container that has none.
fn requested(pod: &Value, resource: &str) -> Result<i128, String> {
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let mut total = 0;
    for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
        let q = c["resources"]["requests"][resource]
            .as_str()
            .map(str::to_string)
            .or_else(|| {
                c["resources"]["requests"][resource]
                    .as_i64()
                    .map(|n| n.to_string())
            })
            .and_then(|q| quantity::milli(&q));
        match q {
            Some(q) => total += q,
            None => {
                return Err(format!(
                    "missing request for {resource} in container {} of Pod {name}",
                    c["name"].as_str().unwrap_or_default()
                ));
            }
        }
    }
    Ok(total)
}

/// The count `metric` asks for with `current` replicas over `pods`; the controller's error
/// otherwise.
pub fn recommend(
    metric: &Value,
    pods: &[PodReading],
    current: i64,
) -> Result<Recommendation, String> {
    if metric["type"] != "Resource" {
        let kind = metric["type"].as_str().unwrap_or("unknown");
        return Err(format!(
            "unable to get {kind} metric: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered"
        ));
    }
    let resource = metric["resource"]["name"].as_str().unwrap_or("cpu");
    let target = &metric["resource"]["target"];
    let utilization = target["type"] == "Utilization";
    let failed = |why: String| {
        let what = if utilization { "utilization" } else { "usage" };
        format!("failed to get {resource} {what}: {why}")
    };
    let with: Vec<(&Value, i128)> = pods
        .iter()
        .filter_map(|p| p.usage.as_ref().map(|u| (p.pod, used(u, resource))))
        .collect();
    if with.is_empty() {
        return Err(failed(format!(
            "unable to get metrics for resource {resource}: no metrics returned from resource metrics API"
        )));
    }
    let missing = pods.len() - with.len();
    let usage: i128 = with.iter().map(|(_, u)| u).sum();
    let (ratio, current_entry) = if utilization {
        let target_pct = target["averageUtilization"].as_i64().unwrap_or(80).max(1);
        // Every target pod needs its request, with metrics or not.
        for p in pods {
            requested(p.pod, resource).map_err(failed)?;
        }
        let with_requests: i128 = with
            .iter()
            .map(|(p, _)| requested(p, resource).unwrap_or(0))
            .sum();
        let pct = (usage * 100 / with_requests.max(1)) as i64;
        (
            pct as f64 / target_pct as f64,
            json!({"averageUtilization": pct,
                   "averageValue": quantity::format_milli(usage / with.len() as i128)}),
        )
    } else {
        let target_value = target["averageValue"]
            .as_str()
            .map(str::to_string)
            .or_else(|| target["averageValue"].as_i64().map(|n| n.to_string()))
            .and_then(|q| quantity::milli(&q))
            .filter(|v| *v > 0)
            .ok_or_else(|| failed("the metric's target has no averageValue".into()))?;
        let average = usage / with.len() as i128;
        (
            average as f64 / target_value as f64,
            json!({"averageValue": quantity::format_milli(average)}),
        )
    };
    let described = if utilization {
        format!("{resource} resource utilization (percentage of request)")
    } else {
        format!("{resource} resource")
    };
    let entry =
        json!({"type": "Resource", "resource": {"name": resource, "current": current_entry}});
    let keep = |replicas| Recommendation {
        replicas,
        current: entry.clone(),
        described: described.clone(),
    };
    if (ratio - 1.0).abs() <= TOLERANCE && missing == 0 {
        return Ok(keep(current));
    }
    if missing == 0 {
        return Ok(keep((ratio * with.len() as f64).ceil() as i64));
    }
    // Pods without metrics count against the change: none of the target when scaling up,
    // all of it when scaling down; a change they reverse or bring within tolerance is none.
    let ratio_with_missing = {
        let (n, have) = (pods.len() as f64, with.len() as f64);
        let assumed = if ratio > 1.0 { 0.0 } else { 1.0 };
        (ratio * have + assumed * (n - have)) / n
    };
    let reversed = (ratio > 1.0) != (ratio_with_missing > 1.0);
    if (ratio_with_missing - 1.0).abs() <= TOLERANCE || reversed {
        return Ok(keep(current));
    }
    Ok(keep((ratio_with_missing * pods.len() as f64).ceil() as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, cpu_request: Option<&str>) -> Value {
        let resources = cpu_request.map_or(json!({}), |r| json!({"requests": {"cpu": r}}));
        json!({"metadata": {"name": name}, "spec": {"containers": [{"name": "app", "resources": resources}]}})
    }

    fn cpu(m: i64) -> Option<Vec<ContainerUsage>> {
        Some(vec![ContainerUsage {
            container: "app".into(),
            cpu_milli: m,
            memory_bytes: 10 << 20,
        }])
    }

    fn utilization(pct: i64) -> Value {
        json!({"type": "Resource", "resource": {"name": "cpu",
            "target": {"type": "Utilization", "averageUtilization": pct}}})
    }

    #[test]
    fn usage_over_the_target_asks_for_proportionally_more() {
        let (a, b) = (pod("a", Some("100m")), pod("b", Some("100m")));
        let pods = [
            PodReading {
                pod: &a,
                usage: cpu(150),
            },
            PodReading {
                pod: &b,
                usage: cpu(150),
            },
        ];
        // 150 % against 50 %: three times the pods.
        let r = recommend(&utilization(50), &pods, 2).unwrap();
        assert_eq!(r.replicas, 6);
        assert_eq!(r.current["resource"]["current"]["averageUtilization"], 150);
        assert_eq!(r.current["resource"]["current"]["averageValue"], "150m");
        // Within 10 % of the target the size stays.
        assert_eq!(recommend(&utilization(140), &pods, 2).unwrap().replicas, 2);
        // Idle pods ask for none (the bounds then keep at least one).
        let idle = [
            PodReading {
                pod: &a,
                usage: cpu(0),
            },
            PodReading {
                pod: &b,
                usage: cpu(1),
            },
        ];
        assert_eq!(recommend(&utilization(50), &idle, 2).unwrap().replicas, 0);
    }

    #[test]
    fn a_container_without_a_request_and_pods_without_metrics_are_the_controller_s_errors() {
        let (a, b) = (pod("a", Some("100m")), pod("b", None));
        let pods = [
            PodReading {
                pod: &a,
                usage: cpu(90),
            },
            PodReading {
                pod: &b,
                usage: cpu(90),
            },
        ];
        let err = recommend(&utilization(50), &pods, 2).unwrap_err();
        assert_eq!(
            err,
            "failed to get cpu utilization: missing request for cpu in container app of Pod b"
        );
        let none = [PodReading {
            pod: &a,
            usage: None,
        }];
        assert!(
            recommend(&utilization(50), &none, 1)
                .unwrap_err()
                .ends_with("no metrics returned from resource metrics API")
        );
    }

    #[test]
    fn a_pod_without_metrics_holds_back_the_change_it_would_reverse() {
        let (a, b) = (pod("a", Some("100m")), pod("b", Some("100m")));
        // One busy pod at 60 % of a 50 % target; the other, still starting, counts as idle
        // for a scale-up: (1.2 + 0) / 2 = 0.6, the opposite direction, so no change.
        let pods = [
            PodReading {
                pod: &a,
                usage: cpu(60),
            },
            PodReading {
                pod: &b,
                usage: None,
            },
        ];
        assert_eq!(recommend(&utilization(50), &pods, 2).unwrap().replicas, 2);
        // Far over the target the scale-up survives: (4.0 + 0) / 2 = 2 → 4 pods.
        let pods = [
            PodReading {
                pod: &a,
                usage: cpu(200),
            },
            PodReading {
                pod: &b,
                usage: None,
            },
        ];
        assert_eq!(recommend(&utilization(50), &pods, 2).unwrap().replicas, 4);
    }

    #[test]
    fn an_average_value_target_needs_no_request() {
        let a = pod("a", None);
        let metric = json!({"type": "Resource", "resource": {"name": "memory",
            "target": {"type": "AverageValue", "averageValue": "5Mi"}}});
        let pods = [PodReading {
            pod: &a,
            usage: cpu(0),
        }];
        let r = recommend(&metric, &pods, 1).unwrap();
        assert_eq!(r.replicas, 2, "10Mi used against 5Mi");
        assert_eq!(r.described, "memory resource");
        assert!(
            recommend(&json!({"type": "Pods"}), &pods, 1)
                .unwrap_err()
                .contains("custom.metrics.k8s.io")
        );
    }
}
