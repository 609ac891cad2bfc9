"""docker-py 5 (Debian's python3-docker) against Sockerless ACA: each step asserts, the last line is a JSON report."""
import json
import sys
import time

import docker

client = docker.DockerClient(base_url=sys.argv[1], version="auto", timeout=60)
report = {}

# ping, version, info
assert client.ping() is True
report["api_version"] = client.version()["ApiVersion"]
info = client.info()
report["driver"] = info["Driver"]
report["os"] = info["OperatingSystem"]

# images: pull, inspect, tag, remove
image = client.images.pull("alpine", tag="latest")
assert "alpine:latest" in image.tags, image.tags
assert client.images.get("alpine").id == image.id
assert image.tag("pyflow/alpine", "v1") is True
assert "pyflow/alpine:v1" in client.images.get("pyflow/alpine:v1").tags
client.images.remove("pyflow/alpine:v1")
try:
    client.images.get("pyflow/alpine:v1")
    raise AssertionError("the tag survived its removal")
except docker.errors.ImageNotFound:
    pass

# containers: run (create, start, logs, wait, remove), wait with an exit code, logs, remove
out = client.containers.run("alpine", ["sh", "-c", "echo hello from docker-py"], remove=True)
assert out == b"hello from docker-py\n", out
container = client.containers.run("alpine", ["sh", "-c", "echo out; echo err >&2; exit 3"], detach=True, name="pyflow-fail", labels={"flow": "py"})
assert client.containers.get("pyflow-fail").id == container.id
result = container.wait()
assert result["StatusCode"] == 3, result
assert container.logs(stdout=True, stderr=False) == b"out\n", container.logs()
assert container.logs(stdout=False, stderr=True) == b"err\n"
assert [c.name for c in client.containers.list(all=True, filters={"label": "flow=py", "status": "exited"})] == ["pyflow-fail"]
container.remove()

# exec runs through the in-job agent, which dials the daemon shortly after the job starts
sleeper = client.containers.run("alpine", ["sleep", "30"], detach=True, name="pyflow-sleeper")
for _ in range(200):
    sleeper.reload()
    if sleeper.attrs.get("Aca", {}).get("AgentConnected"):
        break
    time.sleep(0.1)
code, output = sleeper.exec_run(["sh", "-c", "echo exec works; exit 4"])
assert (code, output) == (4, b"exec works\n"), (code, output)
report["exec"] = "ok"
sleeper.remove(force=True)

# networks: create, list with filters, connect with aliases, inspect, disconnect, remove
network = client.networks.create("pyflow-net", driver="bridge", labels={"flow": "py"})
assert [n.name for n in client.networks.list(filters={"label": ["flow=py"]})] == ["pyflow-net"]
member = client.containers.create("alpine", "true", name="pyflow-member")
network.connect(member, aliases=["m1"])
network.reload()
assert list(network.attrs["Containers"]) == [member.id], network.attrs["Containers"]
member.reload()
assert member.attrs["NetworkSettings"]["Networks"]["pyflow-net"]["Aliases"] == ["m1"]
report["member_ip"] = member.attrs["NetworkSettings"]["Networks"]["pyflow-net"]["IPAddress"]
network.disconnect(member)
member.remove()
network.remove()
assert client.networks.list(names=["pyflow-net"]) == []

# volumes: create, list with filters, inspect, a container writing and the next reading, remove
volume = client.volumes.create("pyflow-vol", labels={"flow": "py"})
assert [v.name for v in client.volumes.list(filters={"label": "flow=py"})] == ["pyflow-vol"]
attrs = client.volumes.get("pyflow-vol").attrs
assert attrs["Status"]["Backing"] == "Azure Files", attrs
assert attrs["Mountpoint"].endswith("/" + attrs["Status"]["Share"]), attrs
mount = {"pyflow-vol": {"bind": "/data", "mode": "rw"}}
assert client.containers.run("alpine", ["sh", "-c", "echo kept by the share > /data/note"], volumes=mount, remove=True) == b""
out = client.containers.run("alpine", ["cat", "/data/note"], volumes=mount, remove=True)
assert out == b"kept by the share\n", out
report["volume_read"] = out.decode().strip()
volume.remove()
assert client.volumes.list() == []

print(json.dumps(report))
