//! Decoding of the protobuf request bodies that typed client-go clients send (kubectl's
//! `create deployment|service|role|job|…`, `auth can-i`, Helm's release Secrets) into the
//! JSON kubesim stores. Each served kind names its message layout in the table of served
//! kinds; a field kubesim does not know is an error, never silently dropped. Responses
//! are always JSON, which every client accepts.

pub mod schema;

use serde_json::{Map, Value, json};

use crate::resources::by_kind;

/// The 4-byte prefix of a Kubernetes protobuf body.
pub const MAGIC: &[u8] = b"k8s\0";

/// How a field's value is encoded, and how it reads as JSON.
#[derive(Debug, Clone, Copy)]
pub enum F {
    /// A string.
    Str,
    /// Bytes, as base64 in JSON.
    Bytes,
    /// int32 or int64.
    Int,
    /// A bool.
    Bool,
    /// A double (fixed 64 bits).
    Double,
    /// `meta.v1.Time`: seconds (and nanos), RFC 3339 to the second in JSON.
    Time,
    /// `meta.v1.MicroTime`: RFC 3339 with microseconds.
    MicroTime,
    /// `resource.Quantity`: its string.
    Qty,
    /// `intstr.IntOrString`: a number or a string.
    IntOrStr,
    /// `runtime.RawExtension` or `FieldsV1`: embedded JSON.
    Raw,
    /// A field the server owns (a kind's `status`): read and dropped.
    Skip,
    /// map<string, string>.
    MapStr,
    /// map<string, bytes>, base64 values.
    MapBytes,
    /// map<string, Quantity>.
    MapQty,
    /// map<string, ExtraValue>: lists of strings.
    MapStrList,
    /// repeated string.
    RepStr,
    /// repeated int32/int64, packed or not.
    RepInt,
    /// A nested message.
    Msg(&'static Msg),
    /// A repeated message.
    RepMsg(&'static Msg),
    /// A message whose fields JSON inlines into the parent (Go's embedded structs:
    /// `volumeSource`, a probe's `handler`, `localObjectReference`, …).
    Inline(&'static Msg),
}

/// One message: its name (for errors) and its fields by number.
#[derive(Debug)]
pub struct Msg {
    /// The message name, e.g. `Container`.
    pub name: &'static str,
    /// (number, JSON name, kind).
    pub fields: &'static [(u32, &'static str, F)],
}

/// A message layout.
pub const fn msg(name: &'static str, fields: &'static [(u32, &'static str, F)]) -> Msg {
    Msg { name, fields }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.buf.get(self.pos).ok_or("truncated varint")?;
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("varint too long".into())
    }

    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let n = self.varint()? as usize;
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.buf.len())
            .ok_or("truncated field")?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn skip(&mut self, wire: u64) -> Result<(), String> {
        match wire {
            0 => self.varint().map(|_| ()),
            1 => self.advance(8),
            2 => self.bytes().map(|_| ()),
            5 => self.advance(4),
            w => Err(format!("unsupported wire type {w}")),
        }
    }

    fn advance(&mut self, n: usize) -> Result<(), String> {
        if self.pos + n > self.buf.len() {
            return Err("truncated fixed field".into());
        }
        self.pos += n;
        Ok(())
    }
}

fn text(b: &[u8]) -> Value {
    Value::String(String::from_utf8_lossy(b).into_owned())
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A map entry's key and raw value bytes.
fn map_entry(b: &[u8]) -> Result<(String, &[u8]), String> {
    let mut r = Reader { buf: b, pos: 0 };
    let (mut k, mut v): (String, &[u8]) = (String::new(), &[]);
    while r.pos < b.len() {
        let tag = r.varint()?;
        match (tag >> 3, tag & 7) {
            (1, 2) => k = String::from_utf8_lossy(r.bytes()?).into_owned(),
            (2, 2) => v = r.bytes()?,
            (_, w) => r.skip(w)?,
        }
    }
    Ok((k, v))
}

/// The fields of a small fixed message (Time, Quantity, IntOrString, …) by number.
fn small(b: &[u8]) -> Result<Vec<(u64, Value)>, String> {
    let mut r = Reader { buf: b, pos: 0 };
    let mut out = Vec::new();
    while r.pos < b.len() {
        let tag = r.varint()?;
        let v = match tag & 7 {
            0 => json!(r.varint()? as i64),
            2 => Value::String(String::from_utf8_lossy(r.bytes()?).into_owned()),
            w => {
                r.skip(w)?;
                continue;
            }
        };
        out.push((tag >> 3, v));
    }
    Ok(out)
}

fn field_of(fields: &[(u64, Value)], num: u64) -> Option<&Value> {
    fields.iter().find(|(n, _)| *n == num).map(|(_, v)| v)
}

fn time(b: &[u8], micro: bool) -> Result<Value, String> {
    let f = small(b)?;
    let secs = field_of(&f, 1).and_then(Value::as_i64).unwrap_or(0).max(0) as u64;
    let nanos = field_of(&f, 2)
        .and_then(Value::as_i64)
        .unwrap_or(0)
        .clamp(0, 999_999_999) as u32;
    let at = std::time::UNIX_EPOCH + std::time::Duration::new(secs, if micro { nanos } else { 0 });
    let text = crate::meta::rfc3339(at);
    Ok(json!(if micro {
        // RFC 3339 with six fractional digits, as MicroTime prints.
        format!("{}.{:06}Z", text.trim_end_matches('Z'), nanos / 1000)
    } else {
        text
    }))
}

/// One value of a single (non-map, non-repeated) field.
fn scalar(r: &mut Reader<'_>, wire: u64, kind: F) -> Result<Value, String> {
    Ok(match kind {
        F::Str => text(r.bytes()?),
        F::Bytes => json!(base64(r.bytes()?)),
        F::Int => json!(r.varint()? as i64),
        F::Bool => json!(r.varint()? != 0),
        F::Double => {
            if wire != 1 {
                return Err(format!("a double field has wire type {wire}"));
            }
            let start = r.pos;
            r.advance(8)?;
            let raw: [u8; 8] = r.buf[start..start + 8]
                .try_into()
                .map_err(|_| "truncated double")?;
            json!(f64::from_le_bytes(raw))
        }
        F::Time => time(r.bytes()?, false)?,
        F::MicroTime => time(r.bytes()?, true)?,
        F::Qty => {
            let f = small(r.bytes()?)?;
            field_of(&f, 1).cloned().unwrap_or(json!("0"))
        }
        F::IntOrStr => {
            let f = small(r.bytes()?)?;
            if field_of(&f, 1).and_then(Value::as_i64) == Some(1) {
                field_of(&f, 3).cloned().unwrap_or(json!(""))
            } else {
                field_of(&f, 2).cloned().unwrap_or(json!(0))
            }
        }
        F::Raw => {
            let f = small(r.bytes()?)?;
            let raw = field_of(&f, 1).and_then(Value::as_str).unwrap_or("{}");
            serde_json::from_str(raw).unwrap_or_else(|_| json!(raw))
        }
        F::Msg(m) | F::RepMsg(m) => message(r.bytes()?, m)?,
        F::Skip
        | F::MapStr
        | F::MapBytes
        | F::MapQty
        | F::MapStrList
        | F::RepStr
        | F::RepInt
        | F::Inline(_) => {
            return Err("not a single value".into());
        }
    })
}

fn push(out: &mut Map<String, Value>, name: &str, v: Value) {
    if let Some(a) = out.entry(name).or_insert_with(|| json!([])).as_array_mut() {
        a.push(v);
    }
}

fn message(b: &[u8], m: &Msg) -> Result<Value, String> {
    let mut r = Reader { buf: b, pos: 0 };
    let mut out = Map::new();
    while r.pos < b.len() {
        let tag = r.varint()?;
        let (num, wire) = (tag >> 3, tag & 7);
        let Some((_, name, kind)) = m.fields.iter().find(|(n, _, _)| u64::from(*n) == num) else {
            return Err(format!("field {num} of {} is not known to kubesim", m.name));
        };
        let name = *name;
        match *kind {
            F::Skip => r.skip(wire)?,
            F::MapStr | F::MapBytes | F::MapQty | F::MapStrList => {
                let (k, raw) = map_entry(r.bytes()?)?;
                let v = match kind {
                    F::MapBytes => json!(base64(raw)),
                    F::MapQty => field_of(&small(raw)?, 1).cloned().unwrap_or(json!("0")),
                    F::MapStrList => {
                        let items: Vec<Value> = small(raw)?
                            .into_iter()
                            .filter(|(n, _)| *n == 1)
                            .map(|(_, v)| v)
                            .collect();
                        json!(items)
                    }
                    _ => text(raw),
                };
                out.entry(name).or_insert_with(|| json!({}))[k] = v;
            }
            F::RepStr => push(&mut out, name, text(r.bytes()?)),
            F::RepInt if wire == 2 => {
                let mut packed = Reader {
                    buf: r.bytes()?,
                    pos: 0,
                };
                while packed.pos < packed.buf.len() {
                    push(&mut out, name, json!(packed.varint()? as i64));
                }
            }
            F::RepInt => push(&mut out, name, json!(r.varint()? as i64)),
            F::RepMsg(_) => {
                let v = scalar(&mut r, wire, *kind)?;
                push(&mut out, name, v);
            }
            F::Inline(inner) => {
                if let Value::Object(fields) = message(r.bytes()?, inner)? {
                    out.extend(fields);
                }
            }
            _ => {
                let v = scalar(&mut r, wire, *kind)?;
                // Go clients send every string field, empty ones too; the API server's JSON
                // leaves them out (omitempty), and an empty `nodeName` must read as unset.
                if matches!(kind, F::Str) && v == "" {
                    continue;
                }
                out.insert(name.to_string(), v);
            }
        }
    }
    Ok(Value::Object(out))
}

/// Review and token kinds: posted, answered, never stored, so not in the served table.
fn virtual_kind(api_version: &str, kind: &str) -> Option<&'static Msg> {
    Some(match (api_version, kind) {
        ("authorization.k8s.io/v1", "SelfSubjectAccessReview") => {
            &schema::AUTHORIZATION_SELF_SUBJECT_ACCESS_REVIEW
        }
        ("authorization.k8s.io/v1", "SelfSubjectRulesReview") => {
            &schema::AUTHORIZATION_SELF_SUBJECT_RULES_REVIEW
        }
        ("authentication.k8s.io/v1", "SelfSubjectReview") => {
            &schema::AUTHENTICATION_SELF_SUBJECT_REVIEW
        }
        ("authentication.k8s.io/v1", "TokenRequest") => &schema::AUTHENTICATION_TOKEN_REQUEST,
        _ => return None,
    })
}

/// Decodes a protobuf body into the JSON object it describes.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let rest = body
        .strip_prefix(MAGIC)
        .ok_or("not a Kubernetes protobuf body")?;
    let mut api_version = String::new();
    let mut kind = String::new();
    let mut raw: &[u8] = &[];
    let mut r = Reader { buf: rest, pos: 0 };
    while r.pos < rest.len() {
        let tag = r.varint()?;
        match (tag >> 3, tag & 7) {
            (1, 2) => {
                for (n, v) in small(r.bytes()?)? {
                    let v = v.as_str().unwrap_or_default().to_string();
                    match n {
                        1 => api_version = v,
                        2 => kind = v,
                        _ => {}
                    }
                }
            }
            (2, 2) => raw = r.bytes()?,
            (_, w) => r.skip(w)?,
        }
    }
    let layout = by_kind(&api_version, &kind)
        .and_then(|rt| rt.proto)
        .or_else(|| virtual_kind(&api_version, &kind))
        .ok_or_else(|| {
            format!(
                "application/json, application/yaml (kubesim does not decode protobuf {kind} {api_version}; send it as JSON)"
            )
        })?;
    let mut obj = message(raw, layout).map_err(|e| {
        format!("application/json, application/yaml (kubesim could not decode this protobuf {kind}: {e}; send it as JSON, e.g. with `kubectl apply -f`)")
    })?;
    obj["apiVersion"] = json!(api_version);
    obj["kind"] = json!(kind);
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The layouts and the k8s-openapi models must agree on every JSON field name, so a
    /// decoded body never carries a name the API does not have.
    #[test]
    fn every_layout_field_is_a_field_of_its_kind() {
        use k8s_openapi::schemars::generate::SchemaSettings;
        let mut generator = SchemaSettings::openapi3().into_generator();
        let mut roots = Vec::new();
        for rt in crate::resources::RESOURCES {
            if let Some(m) = rt.proto {
                let r = (rt.model.schema)(&mut generator);
                let name = r
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.rsplit('/').next())
                    .unwrap_or_default()
                    .to_string();
                roots.push((m, name));
            }
        }
        let defs = Value::Object(generator.take_definitions(true));
        let mut seen = HashSet::new();
        let mut problems = Vec::new();
        for (m, def) in roots {
            walk(m, &def, &defs, &mut seen, &mut problems);
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    fn walk(
        m: &'static Msg,
        def: &str,
        defs: &Value,
        seen: &mut HashSet<(&'static str, String)>,
        problems: &mut Vec<String>,
    ) {
        if !seen.insert((m.name, def.to_string())) {
            return;
        }
        let props = &defs[def]["properties"];
        for (num, name, kind) in m.fields {
            match kind {
                F::Skip => continue,
                F::Inline(inner) => {
                    walk(inner, def, defs, seen, problems);
                    continue;
                }
                _ => {}
            }
            let Some(p) = props.get(*name) else {
                problems.push(format!(
                    "{}.{name} (field {num}) is not a field of {def}",
                    m.name
                ));
                continue;
            };
            if let F::Msg(inner) | F::RepMsg(inner) = kind {
                let r = [&p["$ref"], &p["items"]["$ref"], &p["allOf"][0]["$ref"]]
                    .into_iter()
                    .find_map(|r| r.as_str());
                match r {
                    Some(r) => walk(
                        inner,
                        r.rsplit('/').next().unwrap_or_default(),
                        defs,
                        seen,
                        problems,
                    ),
                    None => problems.push(format!(
                        "{}.{name} is a message but {def}.{name} is not an object",
                        m.name
                    )),
                }
            }
        }
    }

    fn field(num: u32, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![((num << 3) | 2) as u8, payload.len() as u8];
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn decodes_a_secret_envelope() {
        let name = field(1, b"sh.helm.release.v1.web.v1");
        let label = field(11, &[field(1, b"owner"), field(2, b"helm")].concat());
        let meta = field(1, &[name, label].concat());
        let data = field(2, &[field(1, b"release"), field(2, b"abc")].concat());
        let typ = field(3, b"helm.sh/release.v1");
        let secret = [meta, data, typ].concat();
        let type_meta = field(1, &[field(1, b"v1"), field(2, b"Secret")].concat());
        let body = [MAGIC.to_vec(), type_meta, field(2, &secret)].concat();
        let v = decode(&body).unwrap();
        assert_eq!(v["kind"], "Secret");
        assert_eq!(v["metadata"]["name"], "sh.helm.release.v1.web.v1");
        assert_eq!(v["metadata"]["labels"]["owner"], "helm");
        assert_eq!(v["data"]["release"], "YWJj");
        assert_eq!(v["type"], "helm.sh/release.v1");
    }
}
