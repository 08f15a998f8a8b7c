//! A minimal OpenAPI v3: one PATCH operation per served kind, declaring the
//! `fieldValidation` parameter, so kubectl leaves validation to the server (server-side
//! field validation) instead of downloading full schemas.

use serde_json::{Map, Value, json};

use crate::resources::{RESOURCES, ResourceType, groups};

fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// `/openapi/v3`: the index of group-version documents.
pub fn root() -> Value {
    let mut paths = Map::new();
    let mut gvs = vec![("", "v1")];
    gvs.extend(groups());
    for (g, v) in gvs {
        let p = gv_path(g, v);
        paths.insert(
            p.clone(),
            json!({"serverRelativeURL": format!("/openapi/v3/{p}?hash=kubesim-{g}-{v}")}),
        );
    }
    json!({"paths": paths})
}

fn patch_op(rt: &ResourceType) -> Value {
    let param = |name: &str| json!({"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": true}});
    json!({
        "patch": {
            "operationId": format!("patch{}", rt.kind),
            "x-kubernetes-action": "patch",
            "x-kubernetes-group-version-kind": {"group": rt.group, "version": rt.version, "kind": rt.kind},
            "parameters": [param("dryRun"), param("fieldManager"), param("fieldValidation"), param("force")],
            "requestBody": {"content": {
                "application/json-patch+json": {"schema": {"type": "object"}},
                "application/merge-patch+json": {"schema": {"type": "object"}},
                "application/strategic-merge-patch+json": {"schema": {"type": "object"}},
                "application/apply-patch+yaml": {"schema": {"type": "object"}},
            }, "required": true},
            "responses": {"200": {"description": "OK"}},
        }
    })
}

/// `/openapi/v3/api/v1` or `/openapi/v3/apis/{group}/{version}`.
pub fn group_version(path: &str) -> Option<Value> {
    let gv = path.trim_start_matches('/');
    let mut paths = Map::new();
    for rt in RESOURCES
        .iter()
        .filter(|r| gv_path(r.group, r.version) == gv)
    {
        let p = if rt.namespaced {
            format!("/{gv}/namespaces/{{namespace}}/{}/{{name}}", rt.plural)
        } else {
            format!("/{gv}/{}/{{name}}", rt.plural)
        };
        paths.insert(p, patch_op(rt));
    }
    if paths.is_empty() {
        return None;
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes (kubesim)", "version": "v1.32.0"},
        "paths": paths,
        "components": {"schemas": {}},
    }))
}
