"""The command catalogue: everything a command *is*, written once.

The AST builder, the lint rules, hover and completion in the language server,
``innolint rule``, the docs and the interpreter's dispatch all read these
tables.  Adding a command is one entry here.  Facts carry the section of
``innovaphone-spec.md`` they come from.
"""

from __future__ import annotations

import re

from . import values
from .lazyregex import LazyRegex
from .records import NamedTuple

# --------------------------------------------------------------------------
# Firmware versions, oldest first.  "v6sr2hf3" is V6.00 sr2-hotfix3, the
# release that brought reboot/ireboot (spec section 11).

VERSIONS: tuple[str, ...] = (
    "v5",
    "v6",
    "v6sr2hf3",
    "v7",
    "v8",
    "v9",
    "v10",
    "v11r1",
    "v11r2",
    "v12r1",
    "v12r2",
    "v13r1",
    "v13r2",
    "v13r3",
)
DEFAULT_VERSION = "v10"


def version_index(version: str) -> int:
    """Position of ``version`` in VERSIONS; raises ValueError if unknown."""
    normalized = version.strip().lower()
    if not normalized.startswith("v"):
        normalized = "v" + normalized
    return VERSIONS.index(normalized)


def normalize_version(version: str) -> str:
    return VERSIONS[version_index(version)]


# --------------------------------------------------------------------------
# Parameters and options


class Param(NamedTuple):
    name: str  # as written in the syntax line, e.g. "url"
    kind: str  # url | final | serial | integer | word (final: a final command; the rest: values.KINDS)
    required: bool = True
    doc: str = ""


class OptionSpec(NamedTuple):
    """An option of a command or a configuration setting of a module.

    ``value`` is the value kind, parsed by ``values.KINDS[value]`` when the
    line is built (None: a flag that takes no value).
    """

    name: str  # with the slash: "/allow"
    value: str | None  # hour-list | minutes | hours | integer | url | command | word, None for a flag
    doc: str = ""
    label: str = ""  # placeholder in syntax lines ("hours" for an hour list); default: the kind
    default: str | None = None  # a setting's value when the configuration does not name it

    @property
    def placeholder(self) -> str:
        return self.label or self.value or ""


class Command(NamedTuple):
    """One `mod cmd <MODULE> <verb>` command."""

    module: str
    verb: str
    kind: str  # AST node kind: times check download scfg cfg wlan-power up1-action
    summary: str
    doc: str
    params: tuple[Param, ...] = ()
    options: tuple[OptionSpec, ...] = ()
    reads: str | None = None  # UPDATE/* short name compared by the command
    writes: str | None = None  # UPDATE/* short name written by the command
    since: str = "v5"
    expands_meta: bool = False  # meta sequences (#h ...) expanded in its URL
    models: str | None = None  # capability a model needs to run it ("dect", "wlan"; see Model.has)
    spec: str = ""  # section of innovaphone-spec.md
    # Downloads: the device's running build the serial is compared with when
    # UPDATE/<reads> is empty (a DeviceState field, None: no such build) ...
    running: str | None = None
    # ... the file a URL ending in `/` gets ({model} IP1200, {short} ip1200,
    # {firmware} the model's firmware file name) ...
    default_file: str | None = None
    # ... and whether an IP72 must leave power save for it (spec 5.8).
    needs_active_mode: bool = False

    @property
    def syntax(self) -> str:
        parts = [f"mod cmd {self.module} {self.verb}"]
        for param in self.params:
            parts.append(f"<{param.name}>" if param.required else f"[<{param.name}>]")
        for option in self.options:
            value = f" <{option.placeholder}>" if option.value else ""
            parts.append(f"[{option.name}{value}]")
        return " ".join(parts)

    def default_name(self, model: "Model") -> str | None:
        """The file name a URL ending in `/` gets on ``model`` (None: the command has none)."""
        if self.default_file is None:
            return None
        return self.default_file.format(model=model.name, short=model.short, firmware=model.firmware_name)

    def option(self, name: str) -> OptionSpec | None:
        for option in self.options:
            if option.name == name:
                return option
        return None


URL = Param("url", "url", doc="HTTP URL of the file; a trailing `/` appends the model's default file name")
FINAL = Param("final-command", "final", doc="what to do after the command succeeded (see final commands)")
SERIAL = Param("serial", "serial", doc="free-form token compared as a string with the UPDATE variable")

_DOWNLOAD_DOC = (
    "Compares <{serial}> with UPDATE/{var} (when that is empty: with the running {what}); "
    "when they differ, downloads {thing} from <url> (a URL ending in `/` gets the model's "
    "default file name), sets UPDATE/{var} to the serial and runs <final-command>. "
    "The serial is never checked against the file's content."
)


def _download(
    verb: str, var: str, what: str, thing: str, serial: str, since: str, models: str | None, spec: str, summary: str,
    *, running: str | None, default_file: str, needs_active_mode: bool = False,
) -> Command:
    return Command(
        module="UP0",
        verb=verb,
        kind="download",
        summary=summary,
        doc=_DOWNLOAD_DOC.format(serial=serial, var=var, what=what, thing=thing),
        params=(URL, FINAL, Param(serial, "serial", doc=f"build serial compared with UPDATE/{var}")),
        reads=var,
        writes=var,
        since=since,
        models=models,
        spec=spec,
        running=running,
        default_file=default_file,
        needs_active_mode=needs_active_mode,
    )


COMMANDS: tuple[Command, ...] = (
    Command(
        module="UP1",
        verb="times",
        kind="times",
        summary="allow the rest of the script only in some hours / not right after boot",
        doc=(
            "Cancels the rest of the script when the local hour is not in the /allow list, when the "
            "device has no time, or within /initial minutes after boot. With /initial, new "
            "(factory-reset) devices run the script even outside /allow. Commands above it are "
            "not restricted."
        ),
        options=(
            OptionSpec("/allow", "hour-list", "comma-separated hours 0-23 (local time) in which the script may run", "hours"),
            OptionSpec("/initial", "minutes", "no execution within this many minutes after each boot"),
        ),
        spec="5.2",
    ),
    Command(
        module="UP1",
        verb="check",
        kind="check",
        summary="run the rest of the script only once per serial",
        doc=(
            "When <serial> equals UPDATE/CHECK the rest of the script is skipped. Otherwise the rest "
            "runs and, when the last line ran without interruption, UPDATE/CHECK is set to <serial> "
            "and <final-command> runs (deferred commit)."
        ),
        params=(FINAL, Param("serial", "serial", doc="compared with UPDATE/CHECK")),
        reads="CHECK",
        writes="CHECK",
        spec="5.1",
    ),
    Command(
        module="UP1",
        verb="poll",
        kind="up1-action",
        summary="fetch and run the update script now",
        doc="Forces an immediate manual update: the device fetches and runs its update script now.",
        spec="5.9",
    ),
    Command(
        module="UP1",
        verb="reinit",
        kind="up1-action",
        summary="clear all UPDATE/* serials",
        doc="Clears the update serials (UPDATE/CHECK, PROT, BOOT, BMC, CFG, SCFG).",
        since="v8",
        spec="5.9",
    ),
    Command(
        module="UP1",
        verb="provision",
        kind="up1-action",
        summary="switch fast polling on (n) or off (0) - undocumented",
        doc=(
            "Used by the official update server together with `config add UP1 /poll 1` to switch "
            "fast polling on (<n>) and off (0). Not documented."
        ),
        params=(Param("n", "integer", doc="polling value; 0 switches fast polling off"),),
        since="v10",
        spec="5.9",
    ),
    _download("prot", "PROT", "firmware build", "the firmware", "build-serial", "v5", None, "5.3",
              "download and flash firmware when the build serial differs",
              running="firmware", default_file="{firmware}", needs_active_mode=True),
    # The boot code's default name is not documented (spec Q6).
    _download("boot", "BOOT", "boot code build", "the boot code", "boot-serial", "v5", None, "5.4",
              "download and flash boot code when the serial differs",
              running="boot", default_file="{model}-boot.bin", needs_active_mode=True),
    # The default radio-code name lacks the `.bin` the delivered file has (spec 5.5).
    _download("bmc", "BMC", "DECT radio code", "the DECT radio (BMC) code", "build-serial", "v5", "dect", "5.5",
              "download DECT radio code (DECT devices only)",
              running="radio", default_file="{model}-bmc"),
    Command(
        module="UP0",
        verb="scfg",
        kind="scfg",
        summary="back up the configuration by HTTP PUT",
        doc=(
            "Uploads the current configuration to <url> with HTTP PUT; meta sequences (#h, #m, #b5 ...) "
            "in the URL are replaced. From V7.00: with a <save-serial> equal to UPDATE/SCFG the upload "
            "is skipped unless /force <hours> have passed since the last one; <final-command> runs "
            "after a successful upload. Without a serial every execution uploads."
        ),
        params=(
            URL,
            Param("final-command", "final", required=False, doc="run after a successful upload (V7.00+)"),
            Param("save-serial", "serial", required=False, doc="compared with UPDATE/SCFG (V7.00+)"),
        ),
        options=(
            OptionSpec("/force", "hours", "upload again after this many hours even if the serial did not change"),
            OptionSpec("/always", "command", "upload the output of this URL-encoded command (official server only)"),
        ),
        reads="SCFG",
        writes="SCFG",
        expands_meta=True,
        spec="5.6",
    ),
    Command(
        module="UP0",
        verb="cfg",
        kind="cfg",
        summary="load and execute a configuration file",
        doc=(
            "Reads the file at <url>, executes every configuration command in it and appends "
            "`config write`. Nothing is activated: use `reset` as final command, or `ser` followed by "
            "`config activate` and `iresetn`. A loaded file cannot contain UP0 commands. Skipped when "
            "<serial> equals UPDATE/CFG."
        ),
        params=(URL, FINAL, Param("serial", "serial", doc="compared with UPDATE/CFG")),
        reads="CFG",
        writes="CFG",
        spec="5.7",
    ),
    Command(
        module="WLANMGR0",
        verb="activate-pwr",
        kind="wlan-power",
        summary="IP72: switch power save off (active mode) before a download",
        doc=(
            "IP72 only: sets the phone to active mode (power save off) so a bulk firmware download "
            "is reliable. Follow the download with `mod cmd WLANMGR0 deactivate-pwr`."
        ),
        since="v7",
        models="wlan",
        spec="5.8",
    ),
    Command(
        module="WLANMGR0",
        verb="deactivate-pwr",
        kind="wlan-power",
        summary="IP72: switch power save back on after a download",
        doc="IP72 only: re-enables the configured power-save mode after a firmware or boot code upload.",
        since="v7",
        models="wlan",
        spec="5.8",
    ),
)

_COMMAND_INDEX = {(c.module, c.verb): c for c in COMMANDS}
# `time` is printed by the IP DECT manual; accepted as `times` (spec Q11).
VERB_ALIASES = {("UP1", "time"): "times"}
UPDATE_MODULES = ("UP0", "UP1")
MODULES = tuple(dict.fromkeys(c.module for c in COMMANDS))


def lookup(module: str, verb: str) -> Command | None:
    """The catalogue entry for a module and verb (module case-insensitive)."""
    module = module.upper()
    verb = VERB_ALIASES.get((module, verb), verb)
    return _COMMAND_INDEX.get((module, verb))


def verbs(module: str) -> tuple[Command, ...]:
    module = module.upper()
    return tuple(c for c in COMMANDS if c.module == module)


# --------------------------------------------------------------------------
# Final commands (spec section 4)


class FinalCommand(NamedTuple):
    word: str
    restarts: bool
    when_idle: bool  # waits until the device is not in active use
    only_if_required: bool  # only when a reset is required
    watchdog: bool  # reboot-style watchdog restart
    since: str
    doc: str
    not_on: tuple[str, ...] = ()  # models where it does not work


FINAL_COMMANDS: dict[str, FinalCommand] = {
    f.word: f
    for f in (
        FinalCommand("ireset", True, True, False, False, "v5", "reset as soon as the device is not in active use"),
        FinalCommand("reset", True, False, False, False, "v5", "reset immediately"),
        FinalCommand("iresetn", True, True, True, False, "v5", "reset when not in use, only if a reset is required"),
        FinalCommand("resetn", True, False, True, False, "v5", "reset immediately, only if a reset is required"),
        FinalCommand("ser", False, False, False, False, "v5", "no-op: do nothing"),
        FinalCommand(
            "ireboot", True, True, False, True, "v6sr2hf3",
            "like ireset but with a watchdog restart; activates new boot code; not on IP21", ("IP21",),
        ),
        FinalCommand(
            "reboot", True, False, False, True, "v6sr2hf3",
            "like reset but with a watchdog restart; activates new boot code; not on IP21", ("IP21",),
        ),
    )
}
# Words used for the no-op in some sources (spec section 13 item 5).
NOOP_ALIASES = ("no-op", "nop")


# --------------------------------------------------------------------------
# Meta sequences (spec section 6)


class MetaSequence(NamedTuple):
    code: str  # "#h"; "#b" stands for the rolling index "#b<n>"
    name: str
    example: str
    documented: bool
    doc: str


META_SEQUENCES: dict[str, MetaSequence] = {
    m.code: m
    for m in (
        MetaSequence("#F", "firmware build", "08-12345", True, "kernel (firmware) build number"),
        MetaSequence("#B", "boot code build", "401", True, "boot code build number"),
        MetaSequence("#H", "hardware build", "102", True, "hardware build"),
        MetaSequence("#h", "hardware id", "IP1200-03-0d-f0", True, "device hardware id (v5/v6 IP DECT manual: short name)"),
        MetaSequence("#m", "MAC address", "00-90-33-03-0d-f0", True, "MAC address of the device"),
        MetaSequence("#d", "date and time", "20051010-170130", True, "current date and time"),
        MetaSequence("#b", "rolling backup index", "3", True, "rolling backup index 0..n-1, written #b<n> (#bn)"),
        MetaSequence("#i", "IP address", "192.168.0.20", True, "(one of) the local IP address(es)"),
        MetaSequence("#t", "device type", "ip232", False, "device type; only in the official server's `type=#t`"),
    )
}
# A meta sequence in a word: `#` and one letter, the rolling index with its
# digits (`#b5`) or the table's literal `#bn`.
META_PATTERN = re.compile(r"#(?:b(?:[0-9]+|n)?|.)?")
# Sequences that make an upload URL device-specific (spec lint rule UPD-019).
DEVICE_SPECIFIC_META = ("#h", "#m", "#i")


def meta_code(text: str) -> str:
    """Catalogue key of a meta sequence as written (`#b5` -> `#b`)."""
    return "#b" if text.startswith("#b") and len(text) > 2 else text


# --------------------------------------------------------------------------
# config / vars verbs (spec sections 5.10 and 8)


class SimpleVerb(NamedTuple):
    verb: str
    takes_module: bool
    changes_config: bool
    doc: str
    # How `config <verb> <MODULE> /name value ...` edits the module's options:
    # merge (add), replace (change), remove (rem); None for verbs without options.
    edit: str | None = None

    @property
    def option_values(self) -> bool:
        """False when the options are bare names (`config rem UP1 /provision`)."""
        return self.edit != "remove"


CONFIG_VERBS: dict[str, SimpleVerb] = {
    v.verb: v
    for v in (
        SimpleVerb("add", True, True, "change the named parameters of a module's configuration", "merge"),
        SimpleVerb("change", True, True, "state a module's whole configuration (as saved configurations do)", "replace"),
        # Emitted by the official update server (`config rem UP1 /provision`) [PHPUS].
        SimpleVerb("rem", True, True, "remove the named parameters from a module's configuration", "remove"),
        # The device edits one configuration: `write` stores it so it survives a
        # restart, `activate` makes it the running one (written or not).
        SimpleVerb("write", False, False, "store the edited configuration so it survives a restart"),
        SimpleVerb("activate", False, False, "make the edited configuration the running one (a change not written is lost at the next restart)"),
    )
}

# Settings of modules whose values a face reads (spec 2.1): the update URL
# and poll interval the device uses after `config activate` or a restart.
CONFIG_SETTINGS: dict[str, tuple[OptionSpec, ...]] = {
    "UP1": (
        OptionSpec("/url", "url", "the update script's URL; meta sequences are replaced"),
        OptionSpec("/poll", "minutes", "poll interval in minutes (15 when not set; less is discouraged)", default="15"),
        OptionSpec("/poll-fast", "minutes", "poll interval while fast polling is on"),
        OptionSpec("/disc", None, "close the HTTP sessions after each poll"),
        OptionSpec("/no-dhcp", None, "ignore an update URL offered by DHCP"),
        OptionSpec("/provision", "word", "set while the official update server provisions the device (undocumented)"),
    ),
}

# Named sub-objects of a module's configuration, written as a word after the
# module: `config change PHONE SIG /prot SIP`, `config change PHONE APP ...`.
# Each is configured (and saved) on its own line.  Listed ones are documented
# for hover and completion; any upper-case word in that place is read as one.
CONFIG_SUBOBJECTS: dict[str, tuple[str, ...]] = {
    "PHONE": ("SIG", "APP"),
}
SUBOBJECT_PATTERN = LazyRegex(r"[A-Z][A-Z0-9_-]*")  # compiled when first used
_SUBOBJECT_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def is_subobject_name(text: str) -> bool:
    """A word SUBOBJECT_PATTERN matches whole: an upper-case ASCII letter, then upper-case letters, digits, `_`, `-`."""
    return "A" <= text[:1] <= "Z" and _SUBOBJECT_CHARS.issuperset(text)


def setting_value(module: str, name: str, text: str | None):
    """A setting's value as written (``text``; None: not set, its default) read by its kind.

    The typed value, or ``values.Invalid``; None for an unknown setting or
    one that is not set and has no default.
    """
    setting = config_setting(module, name)
    if setting is None:
        return None
    text = setting.default if text is None else text
    if text is None:
        return None
    return values.parse_value(setting.value, text, lambda start, end: (start, end), name=name)


def config_setting(module: str, name: str) -> OptionSpec | None:
    """The catalogue entry of a configuration setting (`UP1`, `/poll`), None when unknown."""
    for setting in CONFIG_SETTINGS.get(module.upper(), ()):
        if setting.name == name.lower():
            return setting
    return None


VARS_VERBS: dict[str, SimpleVerb] = {
    v.verb: v
    for v in (
        SimpleVerb("create", False, True, "create or set a variable: vars create <name> <flags> <value>"),
        SimpleVerb("del", False, True, "delete a variable"),
        SimpleVerb("read", False, False, "print a variable (name, flags, value)"),
    )
}

# UPDATE/* variables (spec section 7), by short name.
UPDATE_VARS = ("CHECK", "PROT", "BOOT", "BMC", "CFG", "SCFG")


# --------------------------------------------------------------------------
# Device models


class Model(NamedTuple):
    name: str  # as on the Info page: "IP1200"
    dect: bool = False
    wlan: bool = False
    reboot: bool = True  # reboot/ireboot work
    doc: str = ""
    firmware: str = ""  # default firmware file name for a URL ending in `/`

    @property
    def short(self) -> str:
        return self.name.lower()

    def has(self, capability: str | None) -> bool:
        """True when the model has ``capability`` ("dect", "wlan", "reboot"; None: always)."""
        return capability is None or bool(getattr(self, capability, False))

    @property
    def script_name(self) -> str:
        """Default update-script name for an update URL ending in `/`."""
        return f"update-{self.short}.htm"

    @property
    def firmware_name(self) -> str:
        return self.firmware or f"{self.name}.bin"


MODELS: dict[str, Model] = {
    m.name: m
    for m in (
        Model("IP1200", dect=True, doc="DECT gateway (IP DECT system)"),
        Model("IPBS", dect=True, doc="DECT base station"),
        Model("IPBS2", dect=True, doc="DECT base station"),
        Model("IPBL", dect=True, doc="DECT base station (light)"),
        Model("IP72", wlan=True, doc="WLAN phone; firmware ip72.bin or zlib-compressed ip72.zbin"),
        Model("IP21", reboot=False, doc="analog adapter; reboot/ireboot do not work"),
        Model("IP22", doc="analog adapter"),
        Model("IP24", doc="analog adapter"),
        Model("IP110", doc="desk phone"),
        Model("IP111", doc="desk phone"),
        Model("IP112", doc="desk phone"),
        Model("IP200A", doc="desk phone"),
        Model("IP222", doc="desk phone"),
        Model("IP232", doc="desk phone"),
        Model("IP241", doc="desk phone"),
        Model("IP302", doc="gateway"),
        Model("IP305", doc="gateway"),
        Model("IP311", doc="gateway"),
        Model("IP411", doc="gateway"),
        Model("IP800", doc="gateway"),
        Model("IP810", doc="gateway"),
        Model("IP811", doc="gateway"),
        Model("IP0010", doc="gateway"),
        Model("IP0011", doc="gateway"),
        Model("IP1060", doc="gateway"),
        Model("IP1130", doc="gateway"),
        Model("IP3000", doc="gateway"),
        Model("IP3010", doc="gateway"),
        Model("IP3011", doc="gateway"),
        Model("IP6000", doc="gateway"),
        Model("IP6010", doc="gateway"),
    )
}

# The default script name; model_from_filename reads it with str methods (the
# pattern decides for a name with a line break, where its `.` and `$` differ).
_SCRIPT_NAME = LazyRegex(r"^update-([A-Za-z0-9]+)(?:[-_.].*)?$")


def find_model(name: str | None) -> Model | None:
    if not name:
        return None
    return MODELS.get(name.strip().upper())


def model_from_filename(filename: str) -> Model | None:
    """The model a default script name is for: `update-ip1200.htm` -> IP1200."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if "\n" in base:
        match = _SCRIPT_NAME.match(base)
        return find_model(match.group(1)) if match else None
    if not base.startswith("update-"):
        return None
    # The model: ASCII letters and digits up to the first `-`, `_` or `.` (or the end).
    model = base[7:].replace("_", "-").replace(".", "-").partition("-")[0]
    return find_model(model) if model.isascii() and model.isalnum() else None

