# Lab targets: a real cluster from this checkout on systemd node containers, air-gapped
# behind mirrors served by the host. Included from the top-level Makefile; see docs/lab.md.
# Needs root and a Docker engine (tests/lab/engine.sh starts one).

VENV ?= .venv
LAB_OS ?= debian12
# Container runtime of the scenarios (docker = Docker + cri-dockerd, or containerd)
LAB_RUNTIME ?= docker
LAB_VRRP ?= unicast
# Cluster of make conformance (single or ha) and options of tests/conformance/run.sh (--procs, --slice, --focus)
LAB_CONFORMANCE_TOPOLOGY ?= single
CONFORMANCE_OPTS ?=
# Extra options for converge.sh, e.g. LAB_CONVERGE_OPTS=--idempotence
LAB_CONVERGE_OPTS ?=
# LAB_DOWN_OPTS=--force also removes containers the lab did not start from the lab network
LAB_DOWN_OPTS ?=
LAB_DIR := tests/lab

.PHONY: lab-images lab-artifacts lab-artifacts-upgrade lab-mirrors lab lab-upgrade lab-ha lab-down lab-status bench bench-quick conformance

# Engine, node images (Debian 12 and 13) and the mirrors with whatever artifacts exist.
lab-images:
	$(LAB_DIR)/engine.sh
	$(LAB_DIR)/node-image.sh all
	$(LAB_DIR)/mirrors.sh up

# Kubernetes, Calico and cri-dockerd built from Go modules (cached by version).
lab-artifacts:
	$(LAB_DIR)/engine.sh
	$(LAB_DIR)/build/build-all.sh

# Upstream's e2e.test and the conformance test images (cached by version; about 20 min cold): the
# cluster scenario's chain ends with the conformance slice (tests/e2e/conformance_slice.yml).
lab-artifacts-conformance:
	$(LAB_DIR)/engine.sh
	$(LAB_DIR)/build/build-all.sh conformance

# The second Kubernetes release, the target of kubeadm upgrades (LAB_UPGRADE_K8S_VERSION in
# tests/lab/pins.sh), built beside the pinned one; the mirrors serve it at once if they run, else
# from the next lab-images. Not part of lab-artifacts or make test.
lab-artifacts-upgrade:
	$(LAB_DIR)/engine.sh
	$(LAB_DIR)/build/build-all.sh --upgrade
	$(LAB_DIR)/mirrors.sh refresh

lab-mirrors:
	$(LAB_DIR)/mirrors.sh up

# A lab cluster at the pinned release, upgraded with playbooks/upgrade.yml to the lab's second
# release while the API and a Service are probed (tests/e2e/upgrade.yml), for a person to watch.
lab-upgrade: setup lab-artifacts-upgrade
	$(MAKE) --no-print-directory lab LAB_CONVERGE_OPTS="--then tests/e2e/upgrade.yml $(LAB_CONVERGE_OPTS)"

# Recipe lines rather than prerequisites: the steps must run in this order even under make -j
# (setup, the venv converge.sh runs ansible-playbook from, comes first either way).
lab: setup
	$(LAB_DIR)/engine.sh
	$(LAB_DIR)/build/build-all.sh
	$(MAKE) --no-print-directory lab-images
	VENV=$(VENV) $(LAB_DIR)/nodes.sh up single --os $(LAB_OS)
	VENV=$(VENV) $(LAB_DIR)/converge.sh single $(LAB_CONVERGE_OPTS)

# site.yml (first run, rerun, add a worker) against the raw kubeadm procedure on the same fresh
# lab nodes, then site.yml on clusters of 5 and 10 workers; the table and chart go to .cache/bench/
# (tests/bench/run.sh, docs/lab.md). bench-quick stops before the cluster sizes.
bench bench-quick: setup
	$(LAB_DIR)/engine.sh
	$(LAB_DIR)/build/build-all.sh
	$(MAKE) --no-print-directory lab-images
	VENV=$(VENV) tests/bench/run.sh --os $(LAB_OS) $(if $(filter bench-quick,$@),--quick)

# Upstream's [Conformance] tests (e2e.test of the pinned release, its test images built like the rest
# of the lab) on a fresh lab cluster; reports in .cache/conformance/latest (docs/conformance.md).
conformance: setup
	$(LAB_DIR)/engine.sh
	$(LAB_DIR)/build/build-all.sh
	$(LAB_DIR)/build/build-all.sh conformance
	$(MAKE) --no-print-directory lab-images
	VENV=$(VENV) $(LAB_DIR)/nodes.sh up $(LAB_CONFORMANCE_TOPOLOGY) --os $(LAB_OS) --vrrp $(LAB_VRRP)
	VENV=$(VENV) $(LAB_DIR)/converge.sh $(LAB_CONFORMANCE_TOPOLOGY)
	tests/conformance/run.sh $(CONFORMANCE_OPTS)

lab-ha: setup
	$(LAB_DIR)/engine.sh
	$(LAB_DIR)/build/build-all.sh
	$(MAKE) --no-print-directory lab-images
	VENV=$(VENV) $(LAB_DIR)/nodes.sh up ha --os $(LAB_OS) --vrrp $(LAB_VRRP)
	VENV=$(VENV) $(LAB_DIR)/converge.sh ha $(LAB_CONVERGE_OPTS)

lab-status:
	$(LAB_DIR)/nodes.sh status
	$(LAB_DIR)/mirrors.sh status

lab-down:
	$(LAB_DIR)/down.sh $(LAB_DOWN_OPTS)
