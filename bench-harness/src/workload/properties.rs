//! Reading a [`WorkloadSpec`] from YCSB properties: a properties file or
//! string, one `-p`-style `key=value` ([`WorkloadSpec::set`]), and printing
//! the effective properties back ([`WorkloadSpec::properties`]). Holds the
//! tables of the property names modelled and of the client properties
//! accepted but ignored, and the property-value names of the spec's enums.
//!
//! Properties syntax: one `key=value` (or `key:value`) per line, whitespace
//! around key and value trimmed, `#` or `!` starting a comment line, blank
//! lines skipped; a later line overrides an earlier one, as in Java. Not
//! supported (an error, never silently misread): line continuations with
//! `\`, a key without a separator.

use std::fmt;
use std::path::Path;

use anyhow::Context;

use super::spec::{
    FieldLengthDistribution, InsertOrder, RequestDistribution, ScanLengthDistribution, WorkloadSpec,
};

macro_rules! property_enum_names {
    ($type:ty { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $type {
            /// The property value YCSB uses for this choice.
            pub fn name(self) -> &'static str {
                match self { $(Self::$variant => $name),+ }
            }

            fn parse(value: &str) -> Result<Self, String> {
                match value {
                    $($name => Ok(Self::$variant),)+
                    _ => Err(format!(
                        "expected one of {}",
                        [$($name),+].join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str(self.name())
            }
        }
    };
}

property_enum_names!(RequestDistribution {
    Uniform => "uniform",
    Zipfian => "zipfian",
    Latest => "latest",
    Hotspot => "hotspot",
    Sequential => "sequential",
    Exponential => "exponential",
});
property_enum_names!(ScanLengthDistribution { Uniform => "uniform", Zipfian => "zipfian" });
property_enum_names!(FieldLengthDistribution { Constant => "constant" });
property_enum_names!(InsertOrder { Hashed => "hashed", Ordered => "ordered" });

/// YCSB properties that configure the client, the database binding or the
/// measurements rather than the workload. Accepted so YCSB's own files
/// parse; recorded in [`WorkloadSpec::ignored_properties`]; no effect on
/// what operations are chosen. The driver may read some of them (such as
/// `threadcount` or `target`) from there.
pub const IGNORED_PROPERTY_NAMES: &[&str] = &[
    "core_workload_insertion_retry_interval",
    "core_workload_insertion_retry_limit",
    "db",
    "dotransactions",
    "exporter",
    "exportfile",
    "fieldlengthhistogram",
    "hdrhistogram.fileoutput",
    "hdrhistogram.output.path",
    "hdrhistogram.percentiles",
    "histogram.buckets",
    "maxexecutiontime",
    "measurement.interval",
    "measurement.trackjvm",
    "measurementtype",
    "readallfieldsbyname",
    "status.interval",
    "target",
    "threadcount",
    "timeseries.granularity",
    "workload",
];

/// Every workload property [`WorkloadSpec`] models, sorted. Each is parsed
/// by `set_property` and printed by `property_value`; a test checks that the
/// two agree for every name.
pub(super) const PROPERTY_NAMES: &[&str] = &[
    "dataintegrity",
    "exponential.frac",
    "exponential.percentile",
    "fieldcount",
    "fieldlength",
    "fieldlengthdistribution",
    "fieldnameprefix",
    "hotspotdatafraction",
    "hotspotopnfraction",
    "insertcount",
    "insertorder",
    "insertproportion",
    "insertstart",
    "maxscanlength",
    "minfieldlength",
    "minscanlength",
    "operationcount",
    "readallfields",
    "readmodifywriteproportion",
    "readproportion",
    "recordcount",
    "requestdistribution",
    "scanlengthdistribution",
    "scanproportion",
    "table",
    "updateproportion",
    "writeallfields",
    "zeropadding",
];

impl WorkloadSpec {
    /// CoreWorkload's defaults overridden by the properties in `text`.
    ///
    /// # Errors
    /// On a malformed line, an unknown key or an unparseable value (the
    /// message names the line and key), or a spec that fails [`Self::validate`].
    #[allow(dead_code)] // `ycsb` reads files; this serves tests and embedders.
    pub fn from_properties_str(text: &str) -> anyhow::Result<Self> {
        let mut spec = Self::default();
        spec.apply_properties_str(text, "properties")?;
        spec.validate()?;
        Ok(spec)
    }

    /// CoreWorkload's defaults overridden by the properties file at `path`.
    ///
    /// # Errors
    /// As [`Self::from_properties_str`], with the path in the message, or
    /// if the file cannot be read.
    pub fn from_properties_file(path: &Path) -> anyhow::Result<Self> {
        let mut spec = Self::default();
        spec.apply_properties_file(path)?;
        spec.validate()?;
        Ok(spec)
    }

    /// Overrides this spec's properties with those in the file at `path`
    /// (YCSB's `-P file` over a preset). Call [`Self::validate`] afterwards.
    ///
    /// # Errors
    /// As [`Self::apply_properties_str`], or if the file cannot be read.
    pub fn apply_properties_file(&mut self, path: &Path) -> anyhow::Result<()> {
        // A workload file is configuration read once at start-up, not
        // engine I/O, so it does not go through dynacore's `Fs`.
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read workload properties {}", path.display()))?;
        self.apply_properties_str(&text, &path.display().to_string())
    }

    /// Overrides this spec's properties with those in `text`; `source` names
    /// the text in error messages (a path, `workloada`). Does not validate
    /// cross-property constraints: call [`Self::validate`] afterwards.
    ///
    /// # Errors
    /// `"{source} line {n}: …"` for a malformed line, an unknown key, or a
    /// value that does not parse; properties before that line stay applied.
    pub fn apply_properties_str(&mut self, text: &str, source: &str) -> anyhow::Result<()> {
        for (index, raw_line) in text.lines().enumerate() {
            let line_number = index + 1;
            let line = raw_line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
                continue;
            }
            let trailing_backslashes = line.len() - line.trim_end_matches('\\').len();
            if trailing_backslashes % 2 == 1 {
                anyhow::bail!(
                    "{source} line {line_number}: line continuations (a trailing `\\`) \
                     are not supported"
                );
            }
            let Some(separator) = line.find(['=', ':']) else {
                anyhow::bail!("{source} line {line_number}: expected `key=value`, found `{line}`");
            };
            let key = line[..separator].trim();
            let value = line[separator + 1..].trim();
            if key.is_empty() {
                anyhow::bail!("{source} line {line_number}: missing key before `=` in `{line}`");
            }
            self.set_property(key, value)
                .map_err(|message| anyhow::anyhow!("{source} line {line_number}: {message}"))?;
        }
        Ok(())
    }

    /// Sets one property, as YCSB's `-p key=value` does. Does not validate
    /// cross-property constraints: call [`Self::validate`] afterwards.
    ///
    /// # Errors
    /// If `key` is unknown or `value` does not parse for it; the message
    /// names both.
    pub fn set(&mut self, key: &str, value: &str) -> anyhow::Result<()> {
        self.set_property(key, value).map_err(anyhow::Error::msg)
    }

    /// [`Self::set`] with the reason as a plain string, for callers that
    /// prefix it with a line number.
    fn set_property(&mut self, key: &str, value: &str) -> Result<(), String> {
        let result = match key {
            "table" => {
                self.table = value.to_owned();
                Ok(())
            }
            "recordcount" => parse_u64(value).map(|parsed| self.record_count = parsed),
            "operationcount" => parse_u64(value).map(|parsed| self.operation_count = parsed),
            "fieldcount" => parse_usize(value).map(|parsed| self.field_count = parsed),
            "fieldlength" => parse_usize(value).map(|parsed| self.field_length_bytes = parsed),
            "minfieldlength" => {
                parse_usize(value).map(|parsed| self.field_length_bytes_min = parsed)
            }
            "fieldlengthdistribution" => match value {
                "uniform" | "zipfian" | "histogram" => Err(format!(
                    "`{value}` field lengths are not supported; the harness writes \
                     constant-length values (`constant`)"
                )),
                _ => FieldLengthDistribution::parse(value)
                    .map(|parsed| self.field_length_distribution = parsed),
            },
            "fieldnameprefix" => {
                self.field_name_prefix = value.to_owned();
                Ok(())
            }
            "readproportion" => parse_proportion(value).map(|parsed| self.read_proportion = parsed),
            "updateproportion" => {
                parse_proportion(value).map(|parsed| self.update_proportion = parsed)
            }
            "insertproportion" => {
                parse_proportion(value).map(|parsed| self.insert_proportion = parsed)
            }
            "scanproportion" => parse_proportion(value).map(|parsed| self.scan_proportion = parsed),
            "readmodifywriteproportion" => {
                parse_proportion(value).map(|parsed| self.read_modify_write_proportion = parsed)
            }
            "requestdistribution" => {
                RequestDistribution::parse(value).map(|parsed| self.request_distribution = parsed)
            }
            "minscanlength" => parse_u64(value).map(|parsed| self.scan_length_min = parsed),
            "maxscanlength" => parse_u64(value).map(|parsed| self.scan_length_max = parsed),
            "scanlengthdistribution" => ScanLengthDistribution::parse(value)
                .map(|parsed| self.scan_length_distribution = parsed),
            "insertorder" => InsertOrder::parse(value).map(|parsed| self.insert_order = parsed),
            "zeropadding" => parse_usize(value).map(|parsed| self.zero_padding = parsed),
            "hotspotdatafraction" => {
                parse_proportion(value).map(|parsed| self.hotspot_data_fraction = parsed)
            }
            "hotspotopnfraction" => {
                parse_proportion(value).map(|parsed| self.hotspot_operation_fraction = parsed)
            }
            "readallfields" => parse_bool(value).map(|parsed| self.read_all_fields = parsed),
            "writeallfields" => parse_bool(value).map(|parsed| self.write_all_fields = parsed),
            "dataintegrity" => parse_bool(value).map(|parsed| self.data_integrity = parsed),
            "insertstart" => parse_u64(value).map(|parsed| self.insert_start = parsed),
            "insertcount" => parse_u64(value).map(|parsed| self.insert_count = Some(parsed)),
            "exponential.percentile" => {
                parse_f64(value).map(|parsed| self.exponential_percentile = parsed)
            }
            "exponential.frac" => parse_f64(value).map(|parsed| self.exponential_fraction = parsed),
            _ if IGNORED_PROPERTY_NAMES.contains(&key) => {
                self.ignored_properties.retain(|(name, _)| name != key);
                self.ignored_properties
                    .push((key.to_owned(), value.to_owned()));
                Ok(())
            }
            _ => return Err(format!("unknown property `{key}`")),
        };
        result.map_err(|reason| format!("property `{key}` = `{value}`: {reason}"))
    }

    /// Every workload property with its effective value (defaults
    /// included, `insertcount` resolved), sorted by name, for the report.
    /// Ignored client properties are in [`Self::ignored_properties`].
    pub fn properties(&self) -> Vec<(String, String)> {
        PROPERTY_NAMES
            .iter()
            .map(|&name| (name.to_owned(), self.property_value(name)))
            .collect()
    }

    fn property_value(&self, name: &str) -> String {
        match name {
            "dataintegrity" => self.data_integrity.to_string(),
            "exponential.frac" => self.exponential_fraction.to_string(),
            "exponential.percentile" => self.exponential_percentile.to_string(),
            "fieldcount" => self.field_count.to_string(),
            "fieldlength" => self.field_length_bytes.to_string(),
            "fieldlengthdistribution" => self.field_length_distribution.to_string(),
            "fieldnameprefix" => self.field_name_prefix.clone(),
            "hotspotdatafraction" => self.hotspot_data_fraction.to_string(),
            "hotspotopnfraction" => self.hotspot_operation_fraction.to_string(),
            "insertcount" => self.effective_insert_count().to_string(),
            "insertorder" => self.insert_order.to_string(),
            "insertproportion" => self.insert_proportion.to_string(),
            "insertstart" => self.insert_start.to_string(),
            "maxscanlength" => self.scan_length_max.to_string(),
            "minfieldlength" => self.field_length_bytes_min.to_string(),
            "minscanlength" => self.scan_length_min.to_string(),
            "operationcount" => self.operation_count.to_string(),
            "readallfields" => self.read_all_fields.to_string(),
            "readmodifywriteproportion" => self.read_modify_write_proportion.to_string(),
            "readproportion" => self.read_proportion.to_string(),
            "recordcount" => self.record_count.to_string(),
            "requestdistribution" => self.request_distribution.to_string(),
            "scanlengthdistribution" => self.scan_length_distribution.to_string(),
            "scanproportion" => self.scan_proportion.to_string(),
            "table" => self.table.clone(),
            "updateproportion" => self.update_proportion.to_string(),
            "writeallfields" => self.write_all_fields.to_string(),
            "zeropadding" => self.zero_padding.to_string(),
            _ => unreachable!("`{name}` is not in PROPERTY_NAMES"),
        }
    }
}

fn parse_u64(value: &str) -> Result<u64, String> {
    value
        .parse()
        .map_err(|_| "expected a non-negative integer".to_owned())
}

fn parse_usize(value: &str) -> Result<usize, String> {
    value
        .parse()
        .map_err(|_| "expected a non-negative integer".to_owned())
}

fn parse_f64(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(parsed) if parsed.is_finite() => Ok(parsed),
        _ => Err("expected a finite number".to_owned()),
    }
}

fn parse_proportion(value: &str) -> Result<f64, String> {
    match parse_f64(value) {
        Ok(parsed) if (0.0..=1.0).contains(&parsed) => Ok(parsed),
        _ => Err("expected a number in [0, 1]".to_owned()),
    }
}

/// Stricter than Java's `Boolean.parseBoolean`, which reads any word other
/// than `true` (a typo such as `ture`) as false.
fn parse_bool(value: &str) -> Result<bool, String> {
    if value.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if value.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err("expected `true` or `false`".to_owned())
    }
}
