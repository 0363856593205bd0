"""Every whole-cluster scenario (container and Vagrant) runs the same converge and verify playbooks.

The effective playbook of a step is worked out the way molecule does it: the base config
(.config/molecule/config.yml) merged with the scenario's molecule.yml, the path taken
relative to the scenario directory, and the driver's own playbook when that file does
not exist. Role scenarios (molecule/<role>) have their own playbooks and are left out.
"""

import os
import shutil

import pytest
import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLUSTER_PREFIXES = ('cluster', 'vagrant')
EXPECTED = {'cluster', 'cluster-ha', 'cluster-lifecycle', 'vagrant-single', 'vagrant-ha'}
# What molecule uses when a config names no playbook for a step.
MOLECULE_DEFAULT_PLAYBOOKS = {
    'create': 'create.yml', 'prepare': 'prepare.yml', 'converge': 'converge.yml',
    'verify': 'verify.yml', 'destroy': 'destroy.yml',
}
DRIVER_DEFAULT = 'driver default'


def merge(base, override):
    """Recursive dict merge, later values win (molecule merges its config files this way)."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(result.get(key), dict) and isinstance(value, dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = value
    return result


def load(path):
    with open(path) as stream:
        return yaml.safe_load(stream) or {}


def effective_config(root, scenario):
    return merge(load(os.path.join(root, '.config', 'molecule', 'config.yml')),
                 load(os.path.join(root, 'molecule', scenario, 'molecule.yml')))


def playbook(root, scenario, config, step):
    """Real path of the step's playbook, or DRIVER_DEFAULT when the driver's own one runs."""
    playbooks = config.get('provisioner', {}).get('playbooks', {})
    playbooks = merge(playbooks, config.get('ansible', {}).get('playbooks', {}))
    name = playbooks.get(step, MOLECULE_DEFAULT_PLAYBOOKS[step])
    path = os.path.join(root, 'molecule', scenario, name)
    return os.path.realpath(path) if os.path.isfile(path) else DRIVER_DEFAULT


def cluster_scenarios(root):
    return sorted(name for name in os.listdir(os.path.join(root, 'molecule'))
                  if name.startswith(CLUSTER_PREFIXES)
                  and os.path.isfile(os.path.join(root, 'molecule', name, 'molecule.yml')))


def private_ips(platform):
    return [interface['ip'] for interface in platform.get('interfaces', [])
            if interface.get('network_name') == 'private_network']


def vagrant_problems(scenario, config):
    """Inventory facts a Vagrant scenario needs that the container lab's inventory provides."""
    problems = []
    host_vars = config.get('provisioner', {}).get('inventory', {}).get('host_vars', {})
    groups = set()
    for platform in config.get('platforms', []):
        name = platform['name']
        groups.update(platform.get('groups', []))
        ips = private_ips(platform)
        node_ip = host_vars.get(name, {}).get('cluster_node_ip')
        if len(ips) != 1 or node_ip != ips[0]:
            problems.append('%s: %s cluster_node_ip %r is not its private_network address %r' % (
                scenario, name, node_ip, ips))
    for group in ('kube_control_plane', 'kube_workers'):
        if group not in groups:
            problems.append('%s: no platform in group %s' % (scenario, group))
    return problems


def scenario_problems(root):
    """Every way the cluster scenarios of the tree at root fail to share converge and verify."""
    shared = {step: os.path.realpath(os.path.join(root, 'molecule', 'shared', step + '.yml'))
              for step in ('converge', 'verify', 'create', 'destroy')}
    problems = []
    scenarios = cluster_scenarios(root)
    missing = EXPECTED - set(scenarios)
    if missing:
        problems.append('scenarios missing: %s' % ', '.join(sorted(missing)))
    for scenario in scenarios:
        config = effective_config(root, scenario)
        for step in ('converge', 'verify'):
            found = playbook(root, scenario, config, step)
            if found != shared[step]:
                problems.append('%s: %s runs %s, not %s' % (scenario, step, found, shared[step]))
        vagrant = config.get('driver', {}).get('name') == 'vagrant'
        if scenario.startswith('vagrant') != vagrant:
            problems.append('%s: driver %r' % (scenario, config.get('driver', {}).get('name')))
        for step in ('create', 'destroy'):
            found = playbook(root, scenario, config, step)
            # Vagrant scenarios boot VMs with the driver's playbooks; the lab's would start containers.
            wanted = DRIVER_DEFAULT if vagrant else shared[step]
            if found != wanted:
                problems.append('%s: %s runs %s, not %s' % (scenario, step, found, wanted))
        if vagrant:
            problems.extend(vagrant_problems(scenario, config))
    return problems


@pytest.fixture
def tree_copy(tmp_path):
    """The molecule configs and shared playbooks of this checkout, to break on purpose."""
    shutil.copytree(os.path.join(REPO_ROOT, '.config'), str(tmp_path / '.config'))
    shutil.copytree(os.path.join(REPO_ROOT, 'molecule'), str(tmp_path / 'molecule'))
    return tmp_path


def edit(path, change):
    config = load(str(path))
    change(config)
    with open(str(path), 'w') as stream:
        yaml.safe_dump(config, stream)


def test_cluster_scenarios_share_converge_and_verify():
    assert set(cluster_scenarios(REPO_ROOT)) >= EXPECTED
    assert scenario_problems(REPO_ROOT) == []


def test_a_second_verify_playbook_is_caught(tree_copy):
    scenario = tree_copy / 'molecule' / 'vagrant-ha'
    shutil.copy(str(tree_copy / 'molecule' / 'shared' / 'verify.yml'), str(scenario / 'verify.yml'))
    edit(scenario / 'molecule.yml', lambda c: c['provisioner']['playbooks'].update(verify='verify.yml'))
    problems = scenario_problems(str(tree_copy))
    assert len(problems) == 1
    assert problems[0].startswith('vagrant-ha: verify runs %s' % os.path.realpath(str(scenario / 'verify.yml')))


def test_a_vagrant_scenario_on_the_lab_playbooks_is_caught(tree_copy):
    # Without its override the base config's create/destroy would start lab containers.
    edit(tree_copy / 'molecule' / 'vagrant-single' / 'molecule.yml', lambda c: c['provisioner'].pop('playbooks'))
    problems = scenario_problems(str(tree_copy))
    assert [p.split(' runs ')[0] for p in problems] == ['vagrant-single: create', 'vagrant-single: destroy']


def test_a_wrong_node_address_is_caught(tree_copy):
    def change(config):
        config['provisioner']['inventory']['host_vars']['w1']['cluster_node_ip'] = '10.0.2.15'

    edit(tree_copy / 'molecule' / 'vagrant-single' / 'molecule.yml', change)
    problems = scenario_problems(str(tree_copy))
    assert problems == ["vagrant-single: w1 cluster_node_ip '10.0.2.15' is not its private_network address"
                        " ['192.168.56.12']"]


def test_a_missing_scenario_is_caught(tree_copy):
    shutil.rmtree(str(tree_copy / 'molecule' / 'cluster-ha'))
    assert scenario_problems(str(tree_copy)) == ['scenarios missing: cluster-ha']
