// Wires the tabs together: hash routing, what each tab reloads, and the readiness light.
import { buildDatasetActions, refreshDatasets, whenDatasetsChange } from './datasets.js';
import { refreshModels } from './models.js';
import { refreshTrainForm } from './trainform.js';
import { refreshJobs, selectJob, whenJobFinishes } from './training.js';
import { refreshTry } from './tryit.js';

const loaders = {
	models: refreshModels,
	training: () => Promise.all([refreshJobs(), refreshTrainForm()]),
	try: refreshTry,
	datasets: refreshDatasets,
};

function route() {
	const [tab, arg] = (location.hash.slice(1) || 'models').split('/');
	const name = loaders[tab] ? tab : 'models';
	for (const section of document.querySelectorAll('.tab')) {
		section.classList.toggle('active', section.id === `tab-${name}`);
	}
	for (const a of document.querySelectorAll('#tabs a')) {
		a.classList.toggle('active', a.dataset.tab === name);
	}
	Promise.resolve(loaders[name]()).then(() => {
		if (name === 'training' && arg) {
			selectJob(arg);
		}
	});
}

async function health() {
	const el = document.getElementById('health');
	try {
		const res = await fetch('/actuator/health/readiness');
		const body = await res.json();
		el.textContent = body.status === 'UP' ? 'ready' : 'starting';
		el.className = `health ${body.status === 'UP' ? 'up' : 'down'}`;
	}
	catch {
		el.textContent = 'offline';
		el.className = 'health down';
	}
}

whenJobFinishes(() => {
	refreshModels();
	refreshTry();
	refreshTrainForm();
});
whenDatasetsChange(() => {
	refreshDatasets();
	refreshTrainForm();
});
document.getElementById('models-refresh').addEventListener('click', refreshModels);
document.getElementById('jobs-refresh').addEventListener('click', refreshJobs);
window.addEventListener('hashchange', route);
buildDatasetActions();
route();
health();
setInterval(health, 15000);
