"""The rule registry: one table of every rule, as ruff's `codes.rs`.

A row says what a rule *is* to its users: code, name, default severity,
group, fix kind, and where its check lives (module under
``innoscript.lint.rules`` and function).  Selecting rules, validating a
configuration and naming a rule in a suppression read this table alone, so
none of them imports a rule module.  ``rule.all_rules()`` loads the check
functions (and their docstrings, which are the rules' documentation) from
the modules the table names; nothing registers itself by being imported.

Fix kinds: None (no fix), "safe" or "unsafe" (every finding has a fix of
that safety), "safe-sometimes" or "unsafe-sometimes" (some findings have
one).  A test checks them against the fixes each rule emits on its own
examples.  Adding a rule is one row here plus its check function.

A leaf module: it imports nothing from innoscript but its helpers (records, lazyregex).
"""

from __future__ import annotations

import re

from ..lazyregex import LazyRegex
from ..records import NamedTuple

GROUPS = {
    "lexical": "A. Lexical and structural",
    "arguments": "B. Arguments and URLs",
    "times": "C. times",
    "check": "D. check",
    "download": "E. prot, boot, bmc, WLAN",
    "scfg": "F. scfg",
    "meta": "G. Meta sequences",
    "cfg": "H. cfg",
    "config": "I. Configuration commands and UP1 housekeeping",
    "source": "S. Source, syntax and suppressions",
    "behaviour": "X. Behaviour found by simulation",
}

FIX_KINDS = (None, "safe", "unsafe", "safe-sometimes", "unsafe-sometimes")


class Entry(NamedTuple):
    code: str
    name: str
    severity: str  # E, W, I or H (Severity.parse)
    group: str  # a key of GROUPS
    fix: str | None  # one of FIX_KINDS

    @property
    def fix_safety(self) -> str | None:
        """"safe", "unsafe" or None: the safety of every fix the rule offers."""
        return self.fix.partition("-")[0] if self.fix else None

    @property
    def fix_availability(self) -> str | None:
        """What `innolint rules` shows: None, "safe", "unsafe" or "sometimes"."""
        return "sometimes" if self.fix and self.fix.endswith("-sometimes") else self.fix
    module: str  # innoscript.lint.rules.<module>
    function: str  # the check function in that module


RULES: tuple[Entry, ...] = (
    Entry("UPD-001", "unknown-verb", "E", "lexical", None, "lexical", "unknown_verb"),
    Entry("UPD-002", "time-alias", "W", "lexical", "safe", "lexical", "time_alias"),
    Entry("UPD-003", "extra-tokens", "W", "lexical", "unsafe-sometimes", "lexical", "extra_tokens"),
    Entry("UPD-004", "leading-bom", "H", "lexical", "safe-sometimes", "lexical", "leading_bom"),
    Entry("UPD-005", "unknown-final-command", "E", "lexical", None, "lexical", "unknown_final_command"),
    Entry("UPD-006", "noop-final-command", "H", "lexical", "safe", "lexical", "noop_final_command"),
    Entry("UPD-007", "split-value", "W", "lexical", "unsafe", "lexical", "split_value"),
    Entry("UPD-008", "unreachable-after-restart", "W", "lexical", None, "lexical", "unreachable_after_restart"),
    Entry("UPD-009", "module-case", "H", "lexical", "safe", "lexical", "module_case"),
    Entry("UPD-010", "missing-url", "E", "arguments", None, "arguments", "missing_url"),
    Entry("UPD-011", "missing-arguments", "E", "arguments", None, "arguments", "missing_arguments"),
    Entry("UPD-012", "unknown-times-option", "E", "arguments", None, "arguments", "unknown_times_option"),
    Entry("UPD-013", "url-scheme", "E", "arguments", None, "arguments", "url_scheme"),
    Entry("UPD-014", "host-name-old-firmware", "W", "arguments", None, "arguments", "host_name_old_firmware"),
    Entry("UPD-015", "host-name-or-https-unknown", "H", "arguments", None, "arguments", "host_name_or_https_unknown"),
    Entry("UPD-016", "bmc-url-folder", "E", "arguments", None, "arguments", "bmc_url_folder"),
    Entry("UPD-017", "default-file-name", "H", "arguments", None, "arguments", "default_file_name"),
    Entry("UPD-018", "default-file-name-case", "H", "arguments", None, "arguments", "default_file_name_case"),
    Entry("UPD-019", "backup-url-not-device-specific", "W", "arguments", None, "arguments", "backup_url_not_device_specific"),
    Entry("UPD-020", "hour-out-of-range", "E", "times", None, "times", "hour_out_of_range"),
    Entry("UPD-021", "duplicate-hour", "W", "times", "safe-sometimes", "times", "duplicate_hour"),
    Entry("UPD-022", "malformed-hour-list", "E", "times", "safe-sometimes", "times", "malformed_hour_list"),
    Entry("UPD-023", "initial-not-positive", "E", "times", None, "times", "initial_not_positive"),
    Entry("UPD-024", "times-not-first", "W", "times", None, "times", "times_not_first"),
    Entry("UPD-025", "download-without-initial", "H", "times", None, "times", "download_without_initial"),
    Entry("UPD-026", "several-times", "W", "times", None, "times", "several_times"),
    Entry("UPD-027", "times-without-options", "W", "times", None, "times", "times_without_options"),
    Entry("UPD-028", "hour-gap", "H", "times", None, "times", "hour_gap"),
    Entry("UPD-030", "check-arguments", "E", "check", None, "check", "check_arguments"),
    Entry("UPD-031", "changes-before-check", "W", "check", None, "check", "changes_before_check"),
    Entry("UPD-032", "several-checks", "W", "check", None, "check", "several_checks"),
    Entry("UPD-033", "check-records-only", "I", "check", None, "check", "check_records_only"),
    Entry("UPD-034", "restart-inside-check", "W", "check", "unsafe-sometimes", "check", "restart_inside_check"),
    Entry("UPD-035", "check-immediate-restart", "H", "check", "unsafe", "check", "check_immediate_restart"),
    Entry("UPD-037", "suspicious-serial", "H", "check", None, "check", "suspicious_serial"),
    Entry("UPD-040", "dotted-build-serial", "W", "download", "unsafe-sometimes", "download", "dotted_build_serial"),
    Entry("UPD-041", "download-loop-risk", "W", "download", None, "download", "download_loop_risk"),
    Entry("UPD-042", "duplicate-download-kind", "W", "download", None, "download", "duplicate_download_kind"),
    Entry("UPD-043", "boot-without-reboot", "H", "download", "unsafe", "download", "boot_without_reboot"),
    Entry("UPD-044", "reboot-unsupported", "E", "download", "unsafe", "download", "reboot_unsupported"),
    Entry("UPD-045", "bmc-not-dect", "E", "download", "unsafe", "download", "bmc_not_dect"),
    Entry("UPD-046", "ip72-download-without-activate-pwr", "W", "download", "safe", "download", "ip72_download_without_activate_pwr"),
    Entry("UPD-047", "activate-pwr-without-deactivate", "H", "download", "safe", "download", "activate_pwr_without_deactivate"),
    Entry("UPD-048", "wlanmgr-not-wlan", "W", "download", "unsafe", "download", "wlanmgr_not_wlan"),
    Entry("UPD-049", "ser-download-never-activated", "W", "download", "safe", "download", "ser_download_never_activated"),
    Entry("UPD-050", "restart-between-downloads", "W", "download", None, "download", "restart_between_downloads"),
    Entry("UPD-051", "rolling-index-reused", "E", "scfg", None, "scfg", "rolling_index_reused"),
    Entry("UPD-052", "scfg-optionals-malformed", "E", "scfg", None, "scfg", "scfg_optionals_malformed"),
    Entry("UPD-053", "scfg-optionals-before-v7", "W", "scfg", None, "scfg", "scfg_optionals_before_v7"),
    Entry("UPD-054", "scfg-without-serial", "I", "scfg", None, "scfg", "scfg_without_serial"),
    Entry("UPD-055", "scfg-below-check", "W", "scfg", "unsafe", "scfg", "scfg_below_check"),
    Entry("UPD-056", "unknown-meta-sequence", "W", "scfg", None, "scfg", "unknown_meta_sequence"),
    Entry("UPD-057", "scfg-always-form", "H", "scfg", None, "scfg", "scfg_always_form"),
    Entry("UPD-058", "scfg-url-ends-with-slash", "W", "scfg", None, "scfg", "scfg_url_ends_with_slash"),
    Entry("UPD-059", "scfg-save-serials-differ", "W", "scfg", None, "scfg", "scfg_save_serials_differ"),
    Entry("UPD-060", "meta-not-expanded", "W", "meta", None, "meta", "meta_not_expanded"),
    Entry("UPD-061", "meta-t-undocumented", "H", "meta", None, "meta", "meta_t_undocumented"),
    Entry("UPD-062", "meta-h-old-target", "H", "meta", None, "meta", "meta_h_old_target"),
    Entry("UPD-065", "nested-up0-in-payload", "E", "cfg", None, "cfg", "nested_up0_in_payload"),
    Entry("UPD-066", "cfg-never-activated", "W", "cfg", "unsafe", "cfg", "cfg_never_activated"),
    Entry("UPD-067", "cfg-loads-backup", "H", "cfg", None, "cfg", "cfg_loads_backup"),
    Entry("UPD-068", "cfg-payload-findings", "I", "cfg", None, "cfg", "cfg_payload_findings"),
    Entry("UPD-070", "config-not-written", "W", "config", "unsafe", "config", "config_not_written"),
    Entry("UPD-071", "config-never-activated", "W", "config", "unsafe", "config", "config_never_activated"),
    Entry("UPD-072", "config-change-up1", "W", "config", "unsafe", "config", "config_change_up1"),
    Entry("UPD-073", "poll-interval-short", "H", "config", "unsafe", "config", "poll_interval_short"),
    Entry("UPD-074", "up1-poll-in-script", "W", "config", "unsafe", "config", "up1_poll_in_script"),
    Entry("UPD-075", "up1-reinit-in-script", "W", "config", "unsafe", "config", "up1_reinit_in_script"),
    Entry("UPD-076", "update-url-without-no-dhcp", "H", "config", "unsafe", "config", "update_url_without_no_dhcp"),
    Entry("UPD-077", "invalid-setting-value", "E", "config", None, "config", "invalid_setting_value"),
    Entry("UPD-078", "invalid-option-value", "E", "arguments", None, "values", "invalid_option_value"),
    Entry("UPD-079", "unknown-config-verb", "E", "config", None, "config", "unknown_config_verb"),
    Entry("UPD-080", "restart-loop", "E", "behaviour", None, "behaviour", "restart_loop"),
    Entry("UPD-081", "check-never-committed", "W", "behaviour", None, "behaviour", "check_never_committed"),
    Entry("UPD-082", "never-executed", "W", "behaviour", None, "behaviour", "never_executed"),
    Entry("UPD-083", "shared-backup-url", "W", "behaviour", None, "behaviour", "shared_backup_url"),
    Entry("UPD-084", "fleet-problems", "W", "behaviour", None, "behaviour", "fleet_problems"),
    Entry("UPD-090", "syntax-error", "E", "source", None, "source", "syntax_error"),
    Entry("UPD-091", "not-utf8", "W", "source", "unsafe-sometimes", "source", "not_utf8"),
    Entry("UPD-092", "binary-file", "E", "source", None, "source", "binary_file"),
    Entry("UPD-093", "unused-suppression", "W", "source", "safe", "suppression", "unused_suppression"),
    Entry("UPD-094", "unknown-suppression", "W", "source", None, "suppression", "unknown_suppression"),
    Entry("UPD-095", "suppression-without-reason", "W", "source", None, "suppression", "suppression_without_reason"),
)

BY_CODE: dict[str, Entry] = {entry.code: entry for entry in RULES}
BY_NAME: dict[str, Entry] = {entry.name: entry for entry in RULES}

_CODE_KEY = LazyRegex(r"(?:UPD)?-?0*(\d{1,3})", re.IGNORECASE)  # compiled when a code is looked up


def find(key: str) -> Entry | None:
    """A rule by code (`UPD-046`, `upd046`, `46`) or name."""
    key = key.strip()
    if key in BY_NAME:
        return BY_NAME[key]
    match = _CODE_KEY.fullmatch(key)
    if match:
        return BY_CODE.get(f"UPD-{int(match.group(1)):03d}")
    return None
