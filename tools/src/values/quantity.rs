//! Kubernetes resource quantities ("500m", "256Mi", 1): never negative.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The pattern of a non-negative quantity, shared by the schema and the parser.
pub const QUANTITY_PATTERN: &str =
    r"^([0-9]+(\.[0-9]+)?|\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$";

/// A non-negative resource quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quantity(String);

impl Quantity {
    /// Parses and checks a quantity.
    pub fn parse(s: &str) -> Result<Self, String> {
        // One parser for every quantity in the workspace; what the schema's pattern
        // refuses (a trailing dot, an exponent, spaces) is refused here too.
        let exponent = s
            .char_indices()
            .any(|(i, c)| matches!(c, 'e' | 'E') && i + 1 < s.len());
        match quantity::milli(s) {
            Some(_) if !s.ends_with('.') && s.trim() == s && !exponent => Ok(Self(s.to_string())),
            _ => Err(format!(
                "{s:?} is not a valid non-negative quantity such as \"500m\", \"256Mi\" or \"1\""
            )),
        }
    }

    /// The value in thousandths of its unit (millicores for CPU, milli-bytes for memory).
    pub fn milli(&self) -> i128 {
        quantity::milli(&self.0).unwrap_or_default()
    }

    /// A quantity from a literal in this crate's defaults (checked by the defaults tests).
    pub(crate) fn literal(s: &str) -> Self {
        Self(s.to_string())
    }

    /// The text form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Number(serde_json::Number),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Text(s) => s,
            Raw::Number(n) => n.to_string(),
        };
        Quantity::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Quantity {
    fn schema_name() -> Cow<'static, str> {
        "Quantity".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A Kubernetes resource quantity, e.g. \"500m\", \"256Mi\" or 1; never negative.",
            "anyOf": [
                {"type": "string", "pattern": QUANTITY_PATTERN},
                {"type": "number", "minimum": 0}
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Quantity;

    #[test]
    fn accepts_kubernetes_forms_and_rejects_negatives() {
        for ok in ["500m", "1", "0.5", "256Mi", "2Gi", "1.5G", ".5"] {
            assert!(Quantity::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["-1", "-500m", "", "abc", "1.", "5 Mi", "1Xi"] {
            assert!(Quantity::parse(bad).is_err(), "{bad}");
        }
        let q: Quantity = serde_json::from_str("2").unwrap();
        assert_eq!(q.as_str(), "2");
        assert!(serde_json::from_str::<Quantity>("-2").is_err());
    }
}
