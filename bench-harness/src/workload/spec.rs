//! [`WorkloadSpec`]: a YCSB CoreWorkload's properties, parsed and checked.
//!
//! Built once on the main thread (from a preset, a properties file, `-p`
//! style overrides) and then read by every client thread. Property names,
//! defaults and meanings are YCSB's (`CoreWorkload.java`); the presets are
//! the property lines of YCSB's `workloads/workloada` … `workloadf`.
//! Invariant: a spec returned by a constructor here has passed
//! [`WorkloadSpec::validate`], so the generators built from it cannot panic.
//!
//! This file holds the spec itself: its fields and defaults, the presets,
//! validation and the accessors the generators use. Parsing properties
//! (files, strings, `set`) and the property-name tables are in
//! [`super::properties`]; the tests here cover both.

use std::ops::Range;

use anyhow::Context;
use dynacore::limits::{ITEM_SIZE_BYTES_MAX, PARTITION_KEY_SIZE_BYTES_MAX};

use super::keys::{KEY_PREFIX, build_key_name};

/// Which keynums operations touch (`requestdistribution`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestDistribution {
    /// Every loaded keynum equally likely (YCSB's default).
    Uniform,
    /// YCSB's scrambled zipfian (workloads A, B, C, E, F).
    Zipfian,
    /// The newest acknowledged inserts are hottest (workload D).
    Latest,
    /// `hotspotopnfraction` of operations go to the lowest
    /// `hotspotdatafraction` of keynums.
    Hotspot,
    /// Keynums in order, wrapping around, shared by all threads.
    Sequential,
    /// Exponentially decaying popularity back from the newest keynum.
    Exponential,
}

/// How many records a scan asks for (`scanlengthdistribution`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanLengthDistribution {
    /// Uniform over `minscanlength..=maxscanlength`.
    Uniform,
    /// Zipf(0.99) over the same range, short scans most likely.
    Zipfian,
}

/// The length of each field value (`fieldlengthdistribution`). YCSB also
/// has `uniform`, `zipfian` and `histogram`; they are rejected here because
/// the harness's values are fixed-size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldLengthDistribution {
    /// Every value is `fieldlength` bytes.
    Constant,
}

/// How keynums become keys (`insertorder`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertOrder {
    /// `"user" + fnvhash64(keynum)`: loads arrive in random key order.
    Hashed,
    /// `"user" + keynum`, zero-padded to `zeropadding` digits.
    Ordered,
}

/// The YCSB preset names [`WorkloadSpec::preset`] accepts.
pub const PRESET_NAMES: &[&str] = &["a", "b", "c", "d", "e", "f"];

/// The property lines of YCSB's `workloads/workloada` … `workloadf`
/// (comments dropped), in order a … f.
const PRESET_PROPERTIES: [&str; 6] = [
    "recordcount=1000\noperationcount=1000\nworkload=site.ycsb.workloads.CoreWorkload\n\
     readallfields=true\n\
     readproportion=0.5\nupdateproportion=0.5\nscanproportion=0\ninsertproportion=0\n\
     requestdistribution=zipfian\n",
    "recordcount=1000\noperationcount=1000\nworkload=site.ycsb.workloads.CoreWorkload\n\
     readallfields=true\n\
     readproportion=0.95\nupdateproportion=0.05\nscanproportion=0\ninsertproportion=0\n\
     requestdistribution=zipfian\n",
    "recordcount=1000\noperationcount=1000\nworkload=site.ycsb.workloads.CoreWorkload\n\
     readallfields=true\n\
     readproportion=1\nupdateproportion=0\nscanproportion=0\ninsertproportion=0\n\
     requestdistribution=zipfian\n",
    "recordcount=1000\noperationcount=1000\nworkload=site.ycsb.workloads.CoreWorkload\n\
     readallfields=true\n\
     readproportion=0.95\nupdateproportion=0\nscanproportion=0\ninsertproportion=0.05\n\
     requestdistribution=latest\n",
    "recordcount=1000\noperationcount=1000\nworkload=site.ycsb.workloads.CoreWorkload\n\
     readallfields=true\n\
     readproportion=0\nupdateproportion=0\nscanproportion=0.95\ninsertproportion=0.05\n\
     requestdistribution=zipfian\nmaxscanlength=100\nscanlengthdistribution=uniform\n",
    "recordcount=1000\noperationcount=1000\nworkload=site.ycsb.workloads.CoreWorkload\n\
     readallfields=true\n\
     readproportion=0.5\nupdateproportion=0\nscanproportion=0\ninsertproportion=0\n\
     readmodifywriteproportion=0.5\nrequestdistribution=zipfian\n",
];

/// A YCSB CoreWorkload, see the module docs. Fields are public for reading
/// and for tests; after changing one by hand, call [`Self::validate`].
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadSpec {
    /// `table` (default `usertable`).
    pub table: String,
    /// `recordcount`: records loaded before the run, and the first insert
    /// keynum of the run (default 1000, what every YCSB workload file sets;
    /// YCSB's own default 0 means `Integer.MAX_VALUE`).
    pub record_count: u64,
    /// `operationcount`: operations in the run phase (default 1000, as the
    /// workload files set). Also sizes the zipfian key space.
    pub operation_count: u64,
    /// `fieldcount` (default 10).
    pub field_count: usize,
    /// `fieldlength`: bytes per field value (default 100).
    pub field_length_bytes: usize,
    /// `minfieldlength` (default 1): used by YCSB's variable-length
    /// distributions only, so it has no effect with `constant`.
    pub field_length_bytes_min: usize,
    /// `fieldlengthdistribution` (default and only choice: `constant`).
    pub field_length_distribution: FieldLengthDistribution,
    /// `fieldnameprefix` (default `field`): fields are `field0`, `field1` …
    pub field_name_prefix: String,
    /// `readproportion` (default 0.95).
    pub read_proportion: f64,
    /// `updateproportion` (default 0.05).
    pub update_proportion: f64,
    /// `insertproportion` (default 0).
    pub insert_proportion: f64,
    /// `scanproportion` (default 0).
    pub scan_proportion: f64,
    /// `readmodifywriteproportion` (default 0).
    pub read_modify_write_proportion: f64,
    /// `requestdistribution` (default `uniform`).
    pub request_distribution: RequestDistribution,
    /// `minscanlength` (default 1).
    pub scan_length_min: u64,
    /// `maxscanlength` (default 1000; workload E sets 100).
    pub scan_length_max: u64,
    /// `scanlengthdistribution` (default `uniform`).
    pub scan_length_distribution: ScanLengthDistribution,
    /// `insertorder` (default `hashed`).
    pub insert_order: InsertOrder,
    /// `zeropadding`: minimum digits after `user` (default 1, never pads).
    pub zero_padding: usize,
    /// `hotspotdatafraction` (default 0.2).
    pub hotspot_data_fraction: f64,
    /// `hotspotopnfraction` (default 0.8).
    pub hotspot_operation_fraction: f64,
    /// `readallfields` (default true; `false`, reading one field, is not
    /// supported by the targets and rejected).
    pub read_all_fields: bool,
    /// `writeallfields` (default false; `true`, updating every field, is
    /// not supported by the targets and rejected).
    pub write_all_fields: bool,
    /// `dataintegrity` (default false; `true`, YCSB's deterministic values
    /// checked on read, is not supported and rejected).
    pub data_integrity: bool,
    /// `insertstart`: the first keynum this instance loads and reads
    /// (default 0), for splitting a load over several clients.
    pub insert_start: u64,
    /// `insertcount`: how many keynums from `insertstart` this instance
    /// loads and reads (default `recordcount - insertstart`).
    pub insert_count: Option<u64>,
    /// `exponential.percentile` (default 95).
    pub exponential_percentile: f64,
    /// `exponential.frac` (default 0.8571428571; YCSB's comment calls it
    /// 1/7, but the value is 6/7).
    pub exponential_fraction: f64,
    /// Properties of
    /// [`IGNORED_PROPERTY_NAMES`](super::properties::IGNORED_PROPERTY_NAMES)
    /// that were given, in order.
    pub ignored_properties: Vec<(String, String)>,
}

impl Default for WorkloadSpec {
    /// YCSB CoreWorkload's defaults, with `recordcount` and
    /// `operationcount` 1000 as in every YCSB workload file.
    fn default() -> Self {
        Self {
            table: "usertable".to_owned(),
            record_count: 1000,
            operation_count: 1000,
            field_count: 10,
            field_length_bytes: 100,
            field_length_bytes_min: 1,
            field_length_distribution: FieldLengthDistribution::Constant,
            field_name_prefix: "field".to_owned(),
            read_proportion: 0.95,
            update_proportion: 0.05,
            insert_proportion: 0.0,
            scan_proportion: 0.0,
            read_modify_write_proportion: 0.0,
            request_distribution: RequestDistribution::Uniform,
            scan_length_min: 1,
            scan_length_max: 1000,
            scan_length_distribution: ScanLengthDistribution::Uniform,
            insert_order: InsertOrder::Hashed,
            zero_padding: 1,
            hotspot_data_fraction: 0.2,
            hotspot_operation_fraction: 0.8,
            read_all_fields: true,
            write_all_fields: false,
            data_integrity: false,
            insert_start: 0,
            insert_count: None,
            exponential_percentile: 95.0,
            exponential_fraction: 0.857_142_857_1,
            ignored_properties: Vec::new(),
        }
    }
}

impl WorkloadSpec {
    /// YCSB's workload `name` (`"a"` … `"f"`, or `"workloada"` …), exactly
    /// the properties its file sets over CoreWorkload's defaults.
    ///
    /// # Errors
    /// If `name` is not one of [`PRESET_NAMES`].
    pub fn preset(name: &str) -> anyhow::Result<Self> {
        let letter = name.strip_prefix("workload").unwrap_or(name);
        let index = PRESET_NAMES
            .iter()
            .position(|&preset| preset == letter)
            .with_context(|| {
                format!(
                    "unknown YCSB workload `{name}`: expected one of {}",
                    PRESET_NAMES.join(", ")
                )
            })?;
        let mut spec = Self::default();
        spec.apply_properties_str(PRESET_PROPERTIES[index], &format!("workload{letter}"))?;
        spec.validate()?;
        Ok(spec)
    }

    /// Checks the constraints between properties, and rejects YCSB options
    /// the harness does not implement.
    ///
    /// # Errors
    /// The first violated constraint, naming the properties involved.
    pub fn validate(&self) -> anyhow::Result<()> {
        use anyhow::ensure;
        ensure!(!self.table.is_empty(), "property `table` is empty");
        ensure!(
            self.record_count >= 1,
            "property `recordcount` must be at least 1 (YCSB's 0, meaning 2^31 - 1, is not supported)"
        );
        ensure!(
            self.field_count >= 1,
            "property `fieldcount` must be at least 1"
        );
        ensure!(
            self.field_length_bytes >= 1,
            "property `fieldlength` must be at least 1"
        );
        ensure!(
            self.read_all_fields,
            "`readallfields=false` (reading one field) is not supported: targets read whole records"
        );
        ensure!(
            !self.write_all_fields,
            "`writeallfields=true` (updating every field) is not supported: targets update one field"
        );
        ensure!(
            !self.data_integrity,
            "`dataintegrity=true` is not supported"
        );

        let proportions = [
            ("readproportion", self.read_proportion),
            ("updateproportion", self.update_proportion),
            ("insertproportion", self.insert_proportion),
            ("scanproportion", self.scan_proportion),
            (
                "readmodifywriteproportion",
                self.read_modify_write_proportion,
            ),
            ("hotspotdatafraction", self.hotspot_data_fraction),
            ("hotspotopnfraction", self.hotspot_operation_fraction),
        ];
        for (name, value) in proportions {
            ensure!(
                (0.0..=1.0).contains(&value),
                "property `{name}` = {value} is outside [0, 1]"
            );
        }
        ensure!(
            self.operation_proportions().iter().sum::<f64>() > 0.0,
            "the operation proportions (readproportion, updateproportion, insertproportion, \
             scanproportion, readmodifywriteproportion) are all 0"
        );

        ensure!(
            self.scan_length_min >= 1,
            "property `minscanlength` must be at least 1"
        );
        ensure!(
            self.scan_length_min <= self.scan_length_max,
            "property `minscanlength` = {} exceeds `maxscanlength` = {}",
            self.scan_length_min,
            self.scan_length_max
        );
        ensure!(
            usize::try_from(self.scan_length_max).is_ok(),
            "property `maxscanlength` = {} is too large",
            self.scan_length_max
        );

        let insert_count = self.effective_insert_count();
        ensure!(
            insert_count >= 1,
            "`insertstart` = {} leaves no records below `recordcount` = {}",
            self.insert_start,
            self.record_count
        );
        ensure!(
            self.insert_start
                .checked_add(insert_count)
                .is_some_and(|end| end <= self.record_count),
            "`insertstart` + `insertcount` = {} + {insert_count} exceeds `recordcount` = {} \
             (YCSB requires recordcount >= insertstart + insertcount)",
            self.insert_start,
            self.record_count
        );
        // Keynums are hashed as Java `long`s and the zipfian key space adds
        // twice the expected inserts: keep every sum far from overflow.
        let zipfian_keynum_end =
            self.record_count as f64 + self.operation_count as f64 * self.insert_proportion * 2.0;
        ensure!(
            zipfian_keynum_end < (1_u64 << 62) as f64,
            "`recordcount` and `operationcount` are too large for 64-bit keynums"
        );

        ensure!(
            self.exponential_percentile > 0.0 && self.exponential_percentile < 100.0,
            "property `exponential.percentile` = {} is outside (0, 100)",
            self.exponential_percentile
        );
        ensure!(
            self.exponential_fraction > 0.0,
            "property `exponential.frac` = {} must be positive",
            self.exponential_fraction
        );

        // Records must fit a DynamoDB item: the key plus every field's name
        // and value count against the 400 KB limit.
        let key_bytes_max = KEY_PREFIX.len() + self.zero_padding.max(20);
        ensure!(
            key_bytes_max <= PARTITION_KEY_SIZE_BYTES_MAX,
            "property `zeropadding` = {} makes keys longer than DynamoDB's {} bytes",
            self.zero_padding,
            PARTITION_KEY_SIZE_BYTES_MAX
        );
        let field_name_bytes_max = self.field_name_prefix.len() + 20;
        let record_bytes_max = self
            .field_count
            .checked_mul(field_name_bytes_max.saturating_add(self.field_length_bytes))
            .and_then(|fields| fields.checked_add(key_bytes_max));
        ensure!(
            record_bytes_max.is_some_and(|bytes| bytes <= ITEM_SIZE_BYTES_MAX),
            "records of `fieldcount` = {} fields of `fieldlength` = {} bytes exceed \
             DynamoDB's item size limit of {ITEM_SIZE_BYTES_MAX} bytes",
            self.field_count,
            self.field_length_bytes
        );
        Ok(())
    }

    /// The proportions in YCSB's order: read, update, insert, scan,
    /// read-modify-write (not normalised; YCSB divides by their sum).
    pub fn operation_proportions(&self) -> [f64; 5] {
        [
            self.read_proportion,
            self.update_proportion,
            self.insert_proportion,
            self.scan_proportion,
            self.read_modify_write_proportion,
        ]
    }

    /// `insertcount`, or its default `recordcount - insertstart`.
    pub fn effective_insert_count(&self) -> u64 {
        self.insert_count
            .unwrap_or(self.record_count.saturating_sub(self.insert_start))
    }

    /// The keynums the load phase inserts: `insertstart .. insertstart +
    /// insertcount` (`0..recordcount` by default).
    pub fn load_keynums(&self) -> Range<u64> {
        self.insert_start..self.insert_start + self.effective_insert_count()
    }

    /// The keynums YCSB's scrambled zipfian chooser draws from:
    /// `insertcount + floor(operationcount × insertproportion × 2) + 1`
    /// keynums from `insertstart`. The doubled expected insert count keeps the
    /// hot keys fixed while the run inserts; the `+ 1` is YCSB's (its range
    /// is `insertstart ..= insertstart + insertcount + expectednewkeys`).
    /// Draws beyond the last acknowledged insert are redrawn.
    pub fn zipfian_item_count(&self) -> u64 {
        // YCSB's `(int) (opcount * insertproportion * 2.0)`, same order of
        // floating-point operations.
        let expected_new_keys = (self.operation_count as f64 * self.insert_proportion * 2.0) as u64;
        self.effective_insert_count() + expected_new_keys + 1
    }

    /// The key for `keynum` under this spec's `insertorder` and `zeropadding`.
    pub fn key_name(&self, keynum: u64) -> String {
        build_key_name(
            keynum,
            self.insert_order == InsertOrder::Ordered,
            self.zero_padding,
        )
    }

    /// The field names: `fieldnameprefix` + 0 … `fieldcount - 1`.
    pub fn field_names(&self) -> Vec<String> {
        (0..self.field_count)
            .map(|index| format!("{}{index}", self.field_name_prefix))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::properties::PROPERTY_NAMES;
    use super::*;

    #[test]
    fn defaults_are_ycsb_core_workload_defaults() {
        let spec = WorkloadSpec::from_properties_str("").unwrap();
        assert_eq!(spec, WorkloadSpec::default());
        assert_eq!(spec.table, "usertable");
        assert_eq!(spec.field_count, 10);
        assert_eq!(spec.field_length_bytes, 100);
        assert_eq!(spec.operation_proportions(), [0.95, 0.05, 0.0, 0.0, 0.0]);
        assert_eq!(spec.request_distribution, RequestDistribution::Uniform);
        assert_eq!((spec.scan_length_min, spec.scan_length_max), (1, 1000));
        assert_eq!(spec.insert_order, InsertOrder::Hashed);
        assert_eq!(spec.zero_padding, 1);
        assert_eq!(
            (spec.hotspot_data_fraction, spec.hotspot_operation_fraction),
            (0.2, 0.8)
        );
        assert!(spec.read_all_fields && !spec.write_all_fields);
        assert_eq!(spec.load_keynums(), 0..1000);
        assert_eq!(spec.field_names()[9], "field9");
    }

    #[test]
    fn presets_match_ycsb_workload_files() {
        let expect = |name: &str, proportions: [f64; 5], distribution| {
            let spec = WorkloadSpec::preset(name).unwrap();
            assert_eq!(spec.operation_proportions(), proportions, "workload {name}");
            assert_eq!(spec.request_distribution, distribution, "workload {name}");
            assert_eq!((spec.record_count, spec.operation_count), (1000, 1000));
            spec
        };
        use RequestDistribution::{Latest, Zipfian};
        expect("a", [0.5, 0.5, 0.0, 0.0, 0.0], Zipfian);
        expect("b", [0.95, 0.05, 0.0, 0.0, 0.0], Zipfian);
        expect("c", [1.0, 0.0, 0.0, 0.0, 0.0], Zipfian);
        expect("d", [0.95, 0.0, 0.05, 0.0, 0.0], Latest);
        let e = expect("e", [0.0, 0.0, 0.05, 0.95, 0.0], Zipfian);
        assert_eq!(e.scan_length_max, 100);
        assert_eq!(e.scan_length_distribution, ScanLengthDistribution::Uniform);
        let f = expect("workloadf", [0.5, 0.0, 0.0, 0.0, 0.5], Zipfian);
        assert_eq!(f.scan_length_max, 1000);
        assert_eq!(
            f.ignored_properties,
            [(
                "workload".to_owned(),
                "site.ycsb.workloads.CoreWorkload".to_owned()
            )]
        );
        let error = WorkloadSpec::preset("g").unwrap_err().to_string();
        assert!(error.contains("unknown YCSB workload `g`"), "{error}");
    }

    #[test]
    fn properties_syntax_comments_blank_lines_whitespace_and_overrides() {
        let text = "# YCSB workload\n\
                    ! another comment\n\
                    \n\
                    recordcount = 5000\n\
                    \toperationcount:7000  \n\
                    requestdistribution=hotspot\n\
                    hotspotdatafraction=0.1\n\
                    readproportion=0.5\n\
                    updateproportion=0.5\n\
                    readproportion=0.25\n\
                    threadcount=8\n\
                    db=site.ycsb.BasicDB\n";
        let spec = WorkloadSpec::from_properties_str(text).unwrap();
        assert_eq!(spec.record_count, 5000);
        assert_eq!(spec.operation_count, 7000);
        assert_eq!(spec.request_distribution, RequestDistribution::Hotspot);
        assert_eq!(spec.hotspot_data_fraction, 0.1);
        assert_eq!(spec.read_proportion, 0.25, "a later line overrides");
        assert_eq!(
            spec.ignored_properties,
            [
                ("threadcount".to_owned(), "8".to_owned()),
                ("db".to_owned(), "site.ycsb.BasicDB".to_owned())
            ]
        );
    }

    fn parse_error(text: &str) -> String {
        let error = WorkloadSpec::from_properties_str(text)
            .unwrap_err()
            .to_string();
        assert!(!error.contains('\n'), "one line: {error}");
        error
    }

    #[test]
    fn unknown_key_is_an_error_naming_key_and_line() {
        let error = parse_error("recordcount=10\n\n# typo below\nreadproportoin=0.5\n");
        assert_eq!(
            error,
            "properties line 4: unknown property `readproportoin`"
        );
    }

    #[test]
    fn malformed_lines_and_bad_values_are_errors_naming_the_line() {
        let error = parse_error("recordcount=10\njust-a-word\n");
        assert!(
            error.starts_with("properties line 2: expected `key=value`"),
            "{error}"
        );
        let error = parse_error("=5\n");
        assert!(
            error.starts_with("properties line 1: missing key"),
            "{error}"
        );
        let error = parse_error("table=usertable\\\n");
        assert!(error.contains("line 1: line continuations"), "{error}");
        let error = parse_error("readproportion=1.5\n");
        assert_eq!(
            error,
            "properties line 1: property `readproportion` = `1.5`: expected a number in [0, 1]"
        );
        let error = parse_error("\nfieldcount=ten\n");
        assert!(
            error.starts_with("properties line 2: property `fieldcount` = `ten`"),
            "{error}"
        );
        let error = parse_error("readallfields=yes\n");
        assert!(
            error.contains("`readallfields` = `yes`: expected `true` or `false`"),
            "{error}"
        );
        let error = parse_error("requestdistribution=pareto\n");
        assert!(
            error.contains("expected one of uniform, zipfian, latest"),
            "{error}"
        );
        let error = parse_error("fieldlengthdistribution=zipfian\n");
        assert!(error.contains("not supported"), "{error}");
        let error = parse_error("readproportion=NaN\n");
        assert!(error.contains("`readproportion` = `NaN`"), "{error}");
        let error = parse_error("operationcount=1000 # inline comments are values\n");
        assert!(error.contains("`operationcount`"), "{error}");
    }

    #[test]
    fn validation_rejects_inconsistent_and_unsupported_specs() {
        let invalid = |text: &str, needle: &str| {
            let error = parse_error(text);
            assert!(error.contains(needle), "{text:?}: {error}");
        };
        invalid(
            "readproportion=0\nupdateproportion=0\n",
            "operation proportions",
        );
        invalid("fieldcount=0\n", "`fieldcount`");
        invalid("recordcount=0\n", "`recordcount`");
        invalid(
            "minscanlength=10\nmaxscanlength=5\n",
            "`minscanlength` = 10",
        );
        invalid(
            "insertstart=600\ninsertcount=500\n",
            "exceeds `recordcount`",
        );
        invalid("insertstart=1000\n", "leaves no records");
        invalid("readallfields=false\n", "readallfields=false");
        invalid("writeallfields=true\n", "writeallfields=true");
        invalid("fieldlength=50000\n", "item size limit");
        invalid("exponential.percentile=100\n", "exponential.percentile");
    }

    #[test]
    fn insert_start_and_count_select_the_load_range() {
        let spec = WorkloadSpec::from_properties_str(
            "recordcount=1000\ninsertstart=200\ninsertcount=300\n",
        )
        .unwrap();
        assert_eq!(spec.load_keynums(), 200..500);
        let spec =
            WorkloadSpec::from_properties_str("recordcount=1000\ninsertstart=200\n").unwrap();
        assert_eq!(spec.load_keynums(), 200..1000);
    }

    #[test]
    fn zipfian_item_count_adds_twice_the_expected_inserts_plus_one() {
        let mut spec = WorkloadSpec::preset("e").unwrap();
        spec.record_count = 1_000_000;
        spec.operation_count = 2_000_000;
        assert_eq!(spec.zipfian_item_count(), 1_000_000 + 200_000 + 1);
        let spec = WorkloadSpec::preset("c").unwrap();
        assert_eq!(spec.zipfian_item_count(), 1001);
    }

    #[test]
    fn properties_are_sorted_and_round_trip_through_set_property() {
        let mut spec = WorkloadSpec::preset("e").unwrap();
        spec.insert_count = Some(1000);
        let properties = spec.properties();
        assert_eq!(properties.len(), PROPERTY_NAMES.len());
        assert!(properties.windows(2).all(|pair| pair[0].0 < pair[1].0));
        let mut reparsed = WorkloadSpec::default();
        for (name, value) in &properties {
            reparsed.set(name, value).unwrap();
        }
        reparsed.ignored_properties = spec.ignored_properties.clone();
        assert_eq!(reparsed, spec);
        assert!(properties.contains(&("maxscanlength".to_owned(), "100".to_owned())));
        assert!(properties.contains(&("requestdistribution".to_owned(), "zipfian".to_owned())));
    }

    #[test]
    fn properties_file_errors_name_the_path() {
        let dir =
            std::env::temp_dir().join(format!("dynacore-workload-spec-{}", std::process::id()));
        #[allow(clippy::disallowed_methods)] // Test fixture set-up on the real file system.
        {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(
                dir.join("good"),
                "recordcount=42\nrequestdistribution=latest\n",
            )
            .unwrap();
            std::fs::write(dir.join("bad"), "recordcount=42\nfoo=bar\n").unwrap();
        }
        let spec = WorkloadSpec::from_properties_file(&dir.join("good")).unwrap();
        assert_eq!(spec.record_count, 42);
        assert_eq!(spec.request_distribution, RequestDistribution::Latest);
        let error = WorkloadSpec::from_properties_file(&dir.join("bad"))
            .unwrap_err()
            .to_string();
        assert!(
            error.ends_with("bad line 2: unknown property `foo`"),
            "{error}"
        );
        let error = WorkloadSpec::from_properties_file(&dir.join("missing"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("cannot read workload properties"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
