# duoshou.kubeadm: developer and CI entry points. `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(CURDIR)/$(VENV)/bin
# The collection must sit at ansible_collections/duoshou/kubeadm for Ansible
# and ansible-test to resolve duoshou.kubeadm.*: link (or, for ansible-test,
# copy) the work tree there instead of asking contributors to move it.
COLLECTIONS_DIR := $(CURDIR)/.cache/collections
COLLECTION_LINK := $(COLLECTIONS_DIR)/ansible_collections/duoshou/kubeadm
# Outside the work tree: ansible-test lists files through git, which ignores .cache/.
SANITY_ROOT := $(or $(TMPDIR),/tmp)/duoshou-kubeadm-sanity/ansible_collections/duoshou/kubeadm
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS_DIR)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(BIN):$(PATH)

.PHONY: help setup lint sanity-copy sanity integration unit validation collection-build test-galaxy vagrant-check test test-fast

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

$(COLLECTION_LINK):
	mkdir -p $(dir $@)
	ln -sfn $(CURDIR) $@

setup: $(VENV)/.installed $(COLLECTION_LINK) ## Create .venv with the pinned tools and link the collection

lint: setup ## ruff, yamllint, ansible-lint (production profile)
	ruff check plugins tests
	yamllint -s .
	ansible-lint --offline

# The pip version ansible-test bootstraps its sanity virtualenvs with.
ANSIBLE_TEST_PIP = $(shell sed -n "s/^ *pip='\([0-9.]*\)',/\1/p" $(VENV)/lib/python*/site-packages/ansible_test/_internal/python_requirements.py)
ANSIBLE_TEST_GET_PIP = $(HOME)/.ansible/test/cache/get_pip_$(subst .,_,$(ANSIBLE_TEST_PIP)).py

sanity-copy: setup
	rm -rf $(SANITY_ROOT) && mkdir -p $(SANITY_ROOT)
	# The lab's build scripts are not part of the collection (build_ignore); ruff checks them.
	git ls-files --cached --others --exclude-standard -z -- . ':!tests/lab' | tar --null -T - -cf - | tar -xf - -C $(SANITY_ROOT)

sanity: sanity-copy ## ansible-test sanity on a copy of the collection
	test -n "$(ANSIBLE_TEST_PIP)"
	install -D -m 0644 tests/sanity/get_pip_bootstrap.py $(ANSIBLE_TEST_GET_PIP)
	cd $(SANITY_ROOT) && ansible-test sanity --python 3.11 --requirements --color no

integration: sanity-copy ## ansible-test integration targets that run on the controller
	cd $(SANITY_ROOT) && ansible-test integration --local --python 3.11 --color no

unit: setup ## pytest unit tests of the plugins, then again with the clock moved 400 days either way
	pytest -q tests/unit tests/lab/build tests/bench tests/conformance
	bash tests/unit/clock-shift.sh

validation: setup ## the bad/good inventory matrix against playbooks/validate.yml
	bash tests/validation/run.sh

collection-build: setup ## build the Galaxy tarball, install it, and read its docs back
	rm -rf .cache/build && mkdir -p .cache/build/installed
	ansible-galaxy collection build --output-path .cache/build .
	ansible-galaxy collection install --force --no-deps -p .cache/build/installed .cache/build/duoshou-kubeadm-*.tar.gz
	ANSIBLE_COLLECTIONS_PATH=.cache/build/installed ansible-doc duoshou.kubeadm.kubeadm_token | head -n 3
	ANSIBLE_COLLECTIONS_PATH=.cache/build/installed ansible-doc -t filter duoshou.kubeadm.ca_cert_hash | head -n 3

test-galaxy: setup ## a Galaxy user's path: install the built tarball in a temporary path, copy and validate the samples, syntax-check every README playbook by FQCN, outside the checkout
	bash tests/galaxy/run.sh

vagrant-check: setup ## Vagrant scenarios without VMs: molecule list/syntax, inventory validation, vagrant validate (libvirt, VirtualBox)
	bash tests/vagrant/check.sh

test: setup ## everything CI runs: the checks below, then the role and cluster scenarios on the lab
	bash tests/make-test.sh

test-fast: setup ## only the checks that need no lab (lint, unit, validation, integration, build, Galaxy path, sanity, vagrant)
	bash tests/make-test.sh --fast

-include tests/lab/lab.mk

# Whole-cluster scenarios on the lab (root and a Docker engine; the first run builds
# Kubernetes from Go modules, ~40 min on 2 cores, later runs reuse the cache).
test-cluster: setup ## molecule: 1 control plane + 2 workers (LAB_OS=debian12|debian13, LAB_RUNTIME=docker|containerd)
	DUOSHOU_LAB_OS=$(LAB_OS) DUOSHOU_LAB_RUNTIME=$(LAB_RUNTIME) molecule test -s cluster

test-roles: setup ## molecule: os_prep and haproxy_keepalived, each alone on the lab's "roles" nodes (the runtimes: test-cluster)
	molecule test -s os_prep
	molecule test -s haproxy_keepalived

test-ssh-bootstrap: setup ## molecule: playbooks/ssh_bootstrap.yml on the "roles" nodes made password-only (key, sudo user, host keys)
	molecule test -s ssh_bootstrap

test-ha: setup ## molecule: 3 control planes behind the VIP + 1 worker, VIP failover
	DUOSHOU_LAB_OS=$(LAB_OS) DUOSHOU_LAB_RUNTIME=$(LAB_RUNTIME) molecule test -s cluster-ha

test-lifecycle: setup lab-artifacts-upgrade ## molecule: one cluster's life (remove and re-add a worker, renewal, etcd restore, upgrade to the lab's second release)
	DUOSHOU_LAB_OS=$(LAB_OS) DUOSHOU_LAB_RUNTIME=$(LAB_RUNTIME) \
	DUOSHOU_LAB_UPGRADE_TO=$$(bash -c '. tests/lab/pins.sh && echo "$$LAB_UPGRADE_K8S_VERSION"') molecule test -s cluster-lifecycle

# Your copy of a sample (cp -r inventory/sample/ha inventory/mycluster): the samples themselves are refused.
INVENTORY ?= inventory/mycluster
.PHONY: site test-cluster test-roles test-ssh-bootstrap test-ha test-lifecycle
site: setup ## ansible-playbook site.yml -i $(INVENTORY)
	ansible-playbook site.yml -i $(INVENTORY)
