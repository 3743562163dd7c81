"""A small model world for the property tests: tool functions, their ops, and the truth.

Each function ``fn-<i>`` serves tool ``tool_<i>``; the content of a version is deterministic
(code ``tool_<i>-<version>``, manifest from the version), as with a build pipeline that builds each
version once. Ops are what deploy tools do with plain Lambda API calls; each op queues the
CloudTrail events AWS would emit. A ``deploy`` (UpdateFunctionCode then TagResource) is applied
between two registrar reads (a read between them is a held release, tested in test_releases.py).
A ``config`` op changes the configuration under the same version: the registrar rejects that, so
which versions end up registered depends on what it saw; the truth is checked as invariants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from control_plane.registry.keys import LATEST_SK, OWNER_SK, TAG_SK_PREFIX
from tests.control_plane.helpers import event_for, manifest

VERSIONS = ("1.0.0", "1.1.0", "2.0.0")
STATUSES = ("active", "deprecated")


def tool_manifest(i: int, version: str, status: str) -> Any:
    return manifest(f"tool_{i}", version, status=status, tags=[f"t{version.replace('.', '')}", "all"])


@dataclass
class FnState:
    exists: bool = False
    version: str = "1.0.0"  # the version whose code the function runs
    status: str = "active"
    tagged: bool = False


@dataclass
class World:
    tools: Any  # tests.control_plane.conftest.Tools
    n: int
    fns: dict[int, FnState] = field(default_factory=dict)
    pending: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.fns = {i: FnState() for i in range(self.n)}

    def name(self, i: int) -> str:
        return f"fn-{i}"

    def _emit(self, i: int, *actions: str) -> None:
        self.pending += [event_for(a, self.tools.arn(self.name(i))) for a in actions]

    def apply(self, op: tuple) -> None:
        kind, i = op[0], op[1] % self.n
        s, name = self.fns[i], self.name(i)
        if kind == "create" and not s.exists:
            _, _, version, status = op
            self.tools.create(name, tool_manifest(i, version, status), build=f"tool_{i}-{version}")
            self.fns[i] = FnState(True, version, status, True)
            self._emit(i, "CreateFunction")
        elif not s.exists:
            return
        elif kind == "deploy":
            version = op[2]
            self.tools.update_code(name, f"tool_{i}-{version}")
            s.version = version
            self._emit(i, "UpdateFunctionCode")
            if s.tagged:
                self.tools.retag(name, tool_manifest(i, version, s.status))
                self._emit(i, "TagResource")
        elif kind == "status" and s.tagged:
            s.status = op[2]
            self.tools.retag(name, tool_manifest(i, s.version, s.status))
            self._emit(i, "TagResource")
        elif kind == "untag" and s.tagged:
            self.tools.untag(name)
            s.tagged = False
            self._emit(i, "UntagResource")
        elif kind == "retag" and not s.tagged:
            self.tools.retag(name, tool_manifest(i, s.version, s.status))
            s.tagged = True
            self._emit(i, "TagResource")
        elif kind == "config":
            memory = 128 + 64 * (op[2] % 4)
            self.tools.lambda_.update_function_configuration(FunctionName=name, MemorySize=memory)
            self._emit(i, "UpdateFunctionConfiguration")
        elif kind == "delete":
            self.tools.delete(name)
            self.fns[i] = FnState()
            self._emit(i, "DeleteFunction")

    def check_truth(self, registry: Any) -> None:
        """Invariants of the registry against the functions' final state:

        * what runs is what was registered: every usable version's published Lambda version has
          exactly the recorded code and configuration;
        * a serving function's current version is registered; when the function still matches it
          (code, configuration, manifest), it is live with the manifest's status and bound;
        * a function not serving has no usable version; latest is the highest active version.
        """
        from control_plane.config import ANY_FUNCTION, ControlPlaneConfig
        from control_plane.registrar.observe import interpret, read_function

        config = ControlPlaneConfig(env="test", allowed_prefixes=(ANY_FUNCTION,))
        for i, s in self.fns.items():
            tool = f"tool_{i}"
            items = {it["version"]: it for it in registry.partition(tool)}
            versions = {v: it for v, it in items.items() if v[0].isdigit()}
            live = {v: it for v, it in versions.items() if it["status"] != "disabled"}
            for v, item in live.items():
                published = self.tools.lambda_.get_function(
                    FunctionName=item["lambda_function_name"], Qualifier=item["lambda_version"]
                )["Configuration"]
                assert item["lambda_arn"] == published["FunctionArn"], (tool, v)
                assert published["CodeSha256"] == item["code_sha256"], (tool, v)
                assert published["MemorySize"] == item["configuration"]["memory_size"], (tool, v)
            serving = s.exists and s.tagged
            if serving:
                assert s.version in versions, (tool, s, sorted(versions))
                obs = interpret(read_function(self.tools.lambda_, self.name(i)), config, "now")
                item = versions[s.version]
                if item["content_sha256"] == obs.content_sha256:
                    assert item["status"] == s.status and item["status_reason"] == "manifest", (tool, s)
                    assert registry.binding(self.name(i)).current_version == s.version
                    assert items[OWNER_SK]["owner_function_name"] == self.name(i)
                # else: rejected (another build under a registered version), nothing of it registered
            else:
                assert live == {}, (tool, s, sorted(live))
                if not s.exists:
                    assert OWNER_SK not in items, (tool, s)
                else:
                    assert items.get(OWNER_SK, {}).get("owner_function_name", self.name(i)) == self.name(i)
            active = [v for v, it in live.items() if it["status"] == "active"]
            latest = items.get(LATEST_SK)
            if active:
                best = max(active, key=lambda v: tuple(int(x) for x in v.split(".")))
                assert latest is not None and latest["resolved_version"] == best, (tool, s)
                assert latest["code_sha256"] == live[best]["code_sha256"]
                expected_tags = {TAG_SK_PREFIX + t for t in live[best]["tags"]}
            else:
                assert latest is None, (tool, s, latest)
                expected_tags = set()
            assert {v for v in items if v.startswith(TAG_SK_PREFIX)} == expected_tags
