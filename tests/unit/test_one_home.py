"""Each fact has one home: these tests fail when a copy of it appears elsewhere.

- Pinned versions and checksums live in roles/cluster/vars/main/pins.yml; roles read them,
  the lab's build reads them (tests/lab/pins.sh), the README states the defaults they set.
- Each runtime's CRI socket lives in the runtime table (cluster_runtimes); the argument spec's
  choices and the inventory validation list the same runtimes.
- An argument spec's documented default is the role's real default.
- The paths of kubeadm's files live in cluster_kubeadm_paths; tasks and vars read them from there.
"""

import glob
import os
import re
import subprocess

import pytest
import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PINS_FILE = os.path.join(REPO_ROOT, 'roles', 'cluster', 'vars', 'main', 'pins.yml')
DERIVED_FILE = os.path.join(REPO_ROOT, 'roles', 'cluster', 'vars', 'main', 'derived.yml')
KUBEADM_PATHS_FILE = os.path.join(REPO_ROOT, 'roles', 'cluster', 'vars', 'main', 'kubeadm_paths.yml')


def load(path):
    with open(path) as handle:
        return yaml.safe_load(handle) or {}


def text_files(*tops):
    for top in tops:
        for path in glob.glob(os.path.join(REPO_ROOT, top, '**', '*'), recursive=True):
            if os.path.isfile(path) and not path.endswith(('.pyc', '.tar.gz')):
                yield path


def files_containing(needle, *tops):
    found = []
    for path in text_files(*tops):
        with open(path, errors='replace') as handle:
            if needle in handle.read():
                found.append(os.path.relpath(path, REPO_ROOT))
    return sorted(found)


@pytest.fixture(scope='module')
def pins():
    return load(PINS_FILE)['cluster_pins']


@pytest.fixture(scope='module')
def runtimes():
    return load(DERIVED_FILE)['cluster_runtimes']


def test_pins_are_plain_versions(pins):
    for name in ('kubernetes', 'crictl', 'cni_plugins', 'cri_dockerd', 'calico'):
        assert re.match(r'^\d+\.\d+\.\d+$', pins[name]), (name, pins[name])
    for version, digest in pins['calico_manifest_sha256'].items():
        assert re.match(r'^[0-9a-f]{64}$', digest), version
    assert pins['calico'] in pins['calico_manifest_sha256'], 'the pinned Calico needs its manifest checksum'
    assert pins['kubernetes'].rsplit('.', 1)[0] in pins['pause'], 'the pinned Kubernetes minor needs its pause tag'


@pytest.mark.parametrize('name', ['kubernetes', 'crictl', 'cni_plugins', 'cri_dockerd', 'calico'])
def test_pinned_versions_are_written_only_in_the_pin_file(pins, name):
    # A version written as a literal in a role, a playbook or the lab scripts is a second home.
    literal = '"%s"' % pins[name]
    # The lab's build steps may name the version a workaround is for; what they build comes from
    # build-all.sh, which reads the pins.
    homes = [path for path in files_containing(pins[name], 'roles', 'playbooks', 'molecule', 'tests/lab', 'tests/e2e')
             if path != os.path.relpath(PINS_FILE, REPO_ROOT)
             and not path.startswith(('tests/lab/build/steps/', 'tests/lab/build/README'))]
    pattern = re.compile(r'(^|[^0-9.])v?%s([^0-9]|$)' % re.escape(pins[name]))
    offenders = []
    for path in homes:
        with open(os.path.join(REPO_ROOT, path)) as handle:
            if pattern.search(handle.read()):
                offenders.append(path)
    assert offenders == [], '%s (%s) restated in %s' % (name, literal, offenders)


def test_the_lab_builds_the_pinned_versions(pins):
    script = '. tests/lab/pins.sh && lab_pin kubernetes && lab_pin calico && lab_pin cri_dockerd'
    out = subprocess.run(['bash', '-c', script], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split() == [pins['kubernetes'], pins['calico'], pins['cri_dockerd']]


def test_readme_states_the_pinned_kubernetes_default(pins):
    with open(os.path.join(REPO_ROOT, 'README.md')) as handle:
        readme = handle.read()
    assert '(default %s)' % pins['kubernetes'] in readme


@pytest.mark.parametrize('runtime', ['docker', 'containerd'])
def test_each_socket_path_has_one_home(runtimes, runtime):
    socket = runtimes[runtime]['socket']
    homes = files_containing(socket, 'roles', 'playbooks', 'molecule', 'tests/e2e')
    assert homes == [os.path.relpath(DERIVED_FILE, REPO_ROOT)]


def code_lines(path):
    """The lines of a task or vars file that are not comments."""
    with open(path) as handle:
        return [line for line in handle if not line.lstrip().startswith('#')]


@pytest.mark.parametrize('name,path', sorted(load(KUBEADM_PATHS_FILE)['cluster_kubeadm_paths'].items()))
def test_each_kubeadm_path_has_one_home(name, path):
    # The whole path, not a prefix of a longer one (the manifests directory of a manifest's path).
    written = re.compile(r'(?<![\w./-])%s(?![\w./-])' % re.escape(path))
    tops = glob.glob(os.path.join(REPO_ROOT, 'roles', '*', 'tasks')) + glob.glob(
        os.path.join(REPO_ROOT, 'roles', '*', 'vars')) + [os.path.join(REPO_ROOT, 'playbooks')]
    copies = [os.path.relpath(found, REPO_ROOT) for top in tops
              for found in glob.glob(os.path.join(top, '**', '*.yml'), recursive=True)
              if found != KUBEADM_PATHS_FILE and any(written.search(line) for line in code_lines(found))]
    assert copies == [], '%s is written out here; read cluster_kubeadm_paths.%s instead' % (path, name)


CLUSTER_ROLE = 'duoshou.kubeadm.cluster'


def roles_needing_cluster():
    """The collection's roles whose tasks read the cluster role's values: those that depend on it, and
    internal_helpers, which every role includes and which reads them too."""
    needing = {'duoshou.kubeadm.internal_helpers'}
    for meta in glob.glob(os.path.join(REPO_ROOT, 'roles', '*', 'meta', 'main.yml')):
        dependencies = load(meta).get('dependencies') or []
        if CLUSTER_ROLE in [entry['role'] if isinstance(entry, dict) else entry for entry in dependencies]:
            needing.add('duoshou.kubeadm.' + os.path.basename(os.path.dirname(os.path.dirname(meta))))
    return needing


def included_roles(tasks):
    for task in tasks or []:
        for action in ('ansible.builtin.include_role', 'ansible.builtin.import_role'):
            if action in task:
                yield task[action]['name']
        for section in ('block', 'rescue', 'always'):
            yield from included_roles(task.get(section))


def plays_of(path):
    return [(os.path.relpath(path, REPO_ROOT), play) for play in load_list(path) if 'import_playbook' not in play]


def load_list(path):
    with open(path) as handle:
        return yaml.safe_load(handle) or []


PLAYS = [entry for path in sorted(glob.glob(os.path.join(REPO_ROOT, 'playbooks', '*.yml'))) for entry in plays_of(path)]


@pytest.mark.parametrize('path,play', PLAYS, ids=lambda value: value if isinstance(value, str) else value.get('name'))
def test_plays_that_include_roles_load_the_cluster_role(path, play):
    # A role included from a play's tasks (include_role, tasks_from) does not hand its dependencies'
    # values to the roles it includes in turn: the play itself loads the cluster role, as a role or as
    # an include before the others. remove_node.yml lost cluster_admin_kubectl this way.
    loaded = [entry['role'] if isinstance(entry, dict) else entry for entry in play.get('roles') or []]
    included = [name for section in ('pre_tasks', 'tasks', 'post_tasks')
                for name in included_roles(play.get(section))]
    needing = sorted(set(included) & roles_needing_cluster())
    assert not needing or CLUSTER_ROLE in loaded or included[:1] == [CLUSTER_ROLE], (
        '%s, play "%s" includes %s without loading %s (roles: [%s] in the play)'
        % (path, play.get('name'), ', '.join(needing), CLUSTER_ROLE, CLUSTER_ROLE))


def test_runtime_choices_follow_the_runtime_table(runtimes):
    spec = load(os.path.join(REPO_ROOT, 'roles', 'cluster', 'meta', 'argument_specs.yml'))
    choices = spec['argument_specs']['main']['options']['cluster_container_runtime']['choices']
    assert sorted(choices) == sorted(runtimes)
    for name, row in runtimes.items():
        role = row['role'].rsplit('.', 1)[-1]
        assert os.path.isfile(os.path.join(REPO_ROOT, 'roles', role, 'tasks', 'reset.yml')), \
            'runtime %s: its role %s needs the reset entry point kubeadm_reset calls' % (name, role)


def role_defaults(role):
    merged = {}
    path = os.path.join(REPO_ROOT, 'roles', role, 'defaults', 'main.yml')
    if os.path.isfile(path):
        merged.update(load(path))
    return merged


def spec_options():
    for path in sorted(glob.glob(os.path.join(REPO_ROOT, 'roles', '*', 'meta', 'argument_specs.yml'))):
        role = path.split(os.sep)[-3]
        for entry, spec in load(path)['argument_specs'].items():
            for option, details in (spec.get('options') or {}).items():
                yield role, entry, option, details


@pytest.mark.parametrize('role,entry,option,details',
                         [pytest.param(*item, id='%s:%s:%s' % item[:3]) for item in spec_options()])
def test_argument_spec_default_is_the_role_default(role, entry, option, details):
    defaults = role_defaults(role)
    if option not in defaults:
        # Entry-point inputs the caller always passes, and options without a role default.
        assert 'default' not in details or details.get('required') is not True
        return
    value = defaults[option]
    if '{{' in repr(value):
        # A computed default (a pin, another setting): the spec describes it instead of restating it.
        assert 'default' not in details, '%s: the spec restates a computed default' % option
    else:
        assert 'default' in details, '%s: the role default %r is not documented in the spec' % (option, value)
        assert details['default'] == value, '%s: spec says %r, the role uses %r' % (option, details['default'], value)
