#!/usr/bin/env python3
"""Writes the API 1.44, 1.47 and 1.52 fixtures from the recorded 1.41 answers (v1.41/, recorded
from Debian 12's Docker 20.10 with curl --unix-socket /run/docker.sock), applying what Docker's
API changelog (moby api/docs/CHANGELOG.md, "v1.42 API changes" to "v1.52 API changes") says
changed in the answers Berth reads: /version, /info, /containers/json, /containers/{id}/json,
/events. No engine newer than 20.10 can run here, so these are written, not recorded.

    python3 derive.py      # rewrites v1.44/ v1.47/ v1.52/ (deterministic)
"""
import copy
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    with open(os.path.join(HERE, "v1.41", name)) as f:
        return f.read() if name.endswith(".jsonl") else json.load(f)


def write(version, name, value):
    os.makedirs(os.path.join(HERE, version), exist_ok=True)
    with open(os.path.join(HERE, version, name), "w") as f:
        if name.endswith(".jsonl"):
            f.write(value)
        else:
            json.dump(value, f, indent=4)
            f.write("\n")


def version_answer(engine, api, minimum):
    v = load("version.json")
    v["Version"] = engine
    v["ApiVersion"] = api
    v["MinAPIVersion"] = minimum
    e = v["Components"][0]
    e["Version"] = engine
    e["Details"]["ApiVersion"] = api
    e["Details"]["MinAPIVersion"] = minimum
    return v


def inspect_answer(c, api):
    c = copy.deepcopy(c)
    h, cfg, net = c["HostConfig"], c["Config"], c["NetworkSettings"]
    # 1.42: KernelMemory / KernelMemoryTCP omitted when not set
    h.pop("KernelMemory", None)
    h.pop("KernelMemoryTCP", None)
    # 1.44: per-endpoint MacAddress (Config.MacAddress deprecated) and DNSNames
    for name, ep in net["Networks"].items():
        ep["MacAddress"] = net.get("MacAddress", "")
        ep["DNSNames"] = None
    if api >= (1, 45):
        # 1.45: Aliases no longer carry the short id (they were null here already)
        pass
    if api >= (1, 48):
        # 1.48: the platform manifest of the image, with the containerd image store (Docker 29's default)
        c["ImageManifestDescriptor"] = {
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": "sha256:7d550a59a83c3710ed14bfb510c858f3b45273c7bb588824c85e4465c146ed3e",
            "size": 405,
            "platform": {"architecture": "amd64", "os": "linux"},
        }
        for ep in net["Networks"].values():
            ep["GwPriority"] = 0
    if api >= (1, 52):
        # 1.52: the deprecated top-level NetworkSettings fields are gone, Config.OnBuild omitted
        # when empty, no container-wide MacAddress
        for k in ["Bridge", "HairpinMode", "LinkLocalIPv6Address", "LinkLocalIPv6PrefixLen",
                  "SecondaryIPAddresses", "SecondaryIPv6Addresses", "EndpointID", "Gateway",
                  "GlobalIPv6Address", "GlobalIPv6PrefixLen", "IPAddress", "IPPrefixLen",
                  "IPv6Gateway", "MacAddress"]:
            net.pop(k, None)
        if not cfg.get("OnBuild"):
            cfg.pop("OnBuild", None)
        cfg.pop("MacAddress", None)
        # Docker 29 on a current distribution: cgroup v2, private cgroup namespace
        h["CgroupnsMode"] = "private"
    return c


def list_answer(items, inspected, api):
    items = copy.deepcopy(items)
    for item in items:
        c = inspected[item["Id"]]
        for ep in item["NetworkSettings"]["Networks"].values():
            ep["MacAddress"] = ep.get("MacAddress", "")
            ep["DNSNames"] = None
            if api >= (1, 48):
                ep["GwPriority"] = 0
        if api >= (1, 48):
            item["ImageManifestDescriptor"] = c["ImageManifestDescriptor"]
        if api >= (1, 52):
            # 1.52: the health check's state in the list
            health = c["State"].get("Health")
            item["Health"] = {"Status": health["Status"] if health else "none",
                              "FailingStreak": health["FailingStreak"] if health else 0}
    return items


def info_answer(api, engine):
    i = load("info.json")
    i["ServerVersion"] = engine
    i.pop("KernelMemory", None)  # 1.42: omitted where unsupported (cgroup v2)
    if api >= (1, 44):
        i["CDISpecDirs"] = []
        for r in i["Runtimes"].values():
            r["status"] = {}
    if api >= (1, 46):
        i["Containerd"] = {"Address": "/run/containerd/containerd.sock",
                           "Namespaces": {"Containers": "moby", "Plugins": "plugins.moby"}}
    if api >= (1, 49):
        i["FirewallBackend"] = {"Driver": "iptables"}
        for k in ["ContainerdCommit", "RuncCommit", "InitCommit"]:
            i[k].pop("Expected", None)
    if api >= (1, 50):
        i.pop("BridgeNfIptables", None)
        i.pop("BridgeNfIp6tables", None)
        i["DiscoveredDevices"] = []
    if api >= (1, 52):
        i.pop("KernelMemoryTCP", None)
        # Docker 29 on a current distribution (cgroup v2 with the systemd driver)
        i["CgroupVersion"] = "2"
        i["CgroupDriver"] = "systemd"
    return i


def events_answer(api):
    lines = []
    for line in load("events.jsonl").splitlines():
        e = json.loads(line)
        if api >= (1, 52):
            # 1.52: the deprecated status, id and from fields are gone
            for k in ["status", "id", "from"]:
                e.pop(k, None)
        lines.append(json.dumps(e, separators=(",", ":")))
    return "\n".join(lines) + "\n"


ENGINES = {  # API version: (Docker release with it as its newest, MinAPIVersion)
    (1, 44): ("25.0.5", "1.24"),
    (1, 47): ("27.4.1", "1.24"),
    (1, 52): ("29.0.4", "1.44"),  # Docker 29 refuses anything older than 1.44
}

for api, (engine, minimum) in ENGINES.items():
    name = "v%d.%d" % api
    write(name, "version.json", version_answer(engine, "%d.%d" % api, minimum))
    write(name, "info.json", info_answer(api, engine))
    inspected = {}
    for f in ["inspect-web.json", "inspect-job.json"]:
        c = inspect_answer(load(f), api)
        inspected[c["Id"]] = c
        write(name, f, c)
    write(name, "containers.json", list_answer(load("containers.json"), inspected, api))
    write(name, "events.jsonl", events_answer(api))
