//! OpenAPI v3, one document per group version: a PATCH operation per served kind (it
//! declares `fieldValidation`, so kubectl leaves validation to the server) and the schemas
//! of every kind, generated from the k8s-openapi types, with the extensions kubectl reads:
//! `x-kubernetes-group-version-kind` (`kubectl explain`) and the strategic-merge metadata
//! (`kubectl apply` computes list merges from it).

use k8s_openapi::schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use crate::patch_meta::LIST_MERGE;
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
        "components": {"schemas": schemas(gv)},
    }))
}

/// The schemas of the kinds served in `gv` and of everything they reference.
fn schemas(gv: &str) -> Map<String, Value> {
    let mut generator = SchemaSettings::openapi3().into_generator();
    let mut kinds = Vec::new();
    for rt in RESOURCES
        .iter()
        .filter(|r| gv_path(r.group, r.version) == gv)
    {
        let reference = (rt.model.schema)(&mut generator);
        if let Some(name) = reference
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.rsplit('/').next())
        {
            kinds.push((name.to_string(), *rt));
        }
    }
    let mut defs = generator.take_definitions(true);
    for (name, rt) in kinds {
        if let Some(schema) = defs.get_mut(&name).and_then(Value::as_object_mut) {
            schema.insert(
                "x-kubernetes-group-version-kind".into(),
                json!([{"group": rt.group, "version": rt.version, "kind": rt.kind}]),
            );
        }
    }
    for m in LIST_MERGE {
        if let Some(prop) = defs
            .get_mut(m.definition)
            .and_then(|d| d.get_mut("properties"))
            .and_then(|p| p.get_mut(m.field))
            .and_then(Value::as_object_mut)
        {
            prop.insert("x-kubernetes-patch-strategy".into(), m.strategy.into());
            if let Some(key) = m.merge_key {
                prop.insert("x-kubernetes-patch-merge-key".into(), key.into());
            }
        }
    }
    defs
}

/// `/openapi/v2` as JSON: a Swagger 2.0 document with no definitions. Clients use v3 for
/// the schemas; v2 exists so that kubectl's fallback for a group version missing from v3
/// (a kind nobody serves) finds a document and goes on to say `no matches for kind`.
pub fn v2_json() -> Value {
    json!({
        "swagger": "2.0",
        "info": {"title": "Kubernetes (kubesim)", "version": "v1.32.0"},
        "paths": {},
        "definitions": {},
    })
}

/// The same document in gnostic's protobuf form, which client-go asks for:
/// `Document{swagger: 1, info: 2 {title: 1, version: 2}, paths: 8, definitions: 9}`.
pub fn v2_protobuf() -> Vec<u8> {
    fn field(num: u8, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![(num << 3) | 2, payload.len() as u8];
        v.extend_from_slice(payload);
        v
    }
    let info = [field(1, b"Kubernetes (kubesim)"), field(2, b"v1.32.0")].concat();
    [
        field(1, b"2.0"),
        field(2, &info),
        field(8, &[]),
        field(9, &[]),
    ]
    .concat()
}

/// The media type `/openapi/v2` answers client-go with (it asks with `@v1.0`, which Go's
/// media-type parser refuses in a response).
pub const V2_PROTOBUF: &str = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
