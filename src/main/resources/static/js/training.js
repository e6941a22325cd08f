// Training tab: the job list kept live by each job's event stream, one job's curves, and the list's progress bars.
import { api, events } from './api.js';
import { confusionMatrix, lineChart, testResults } from './charts.js';
import { confirmDialog, duration, h, num, problemBox, statusBadge, toast, when } from './ui.js';

const jobs = new Map();
const streams = new Map();
let selected = null;
let onJobFinished = () => {};

const FINISHED = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
const listEl = () => document.getElementById('job-list');
const detailEl = () => document.getElementById('job-detail');

export function whenJobFinishes(callback) {
	onJobFinished = callback;
}

export async function refreshJobs() {
	try {
		for (const job of await api('/api/v1/training-jobs')) {
			jobs.set(job.id, job);
		}
		renderList();
		for (const job of jobs.values()) {
			follow(job);
		}
		if (!selected && jobs.size) {
			selectJob(sorted()[0].id);
		}
		else if (selected) {
			renderDetail();
		}
	}
	catch (err) {
		listEl().replaceChildren(h('li', {}, problemBox(err)));
	}
}

/** Adds a job the form just started, and follows it. */
export function addJob(job) {
	jobs.set(job.id, job);
	renderList();
	follow(job);
	selectJob(job.id);
}

export function selectJob(id) {
	selected = id;
	for (const li of listEl().querySelectorAll('li[data-job]')) {
		li.classList.toggle('selected', li.dataset.job === id);
	}
	renderDetail();
}

function sorted() {
	return [...jobs.values()].sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
}

function follow(job) {
	if (FINISHED.has(job.status) || streams.has(job.id)) {
		return;
	}
	const abort = new AbortController();
	streams.set(job.id, abort);
	events(`/api/v1/training-jobs/${job.id}/events`, (name, data) => update(data), abort.signal)
		.catch(() => {})
		.finally(async () => {
			streams.delete(job.id);
			if (abort.signal.aborted) {
				return;
			}
			// The stream ends after the finishing event; if it broke off earlier, pick up where the job is now.
			const current = jobs.get(job.id);
			if (!FINISHED.has(current.status)) {
				await new Promise((r) => setTimeout(r, 2000));
				try {
					update(await api(`/api/v1/training-jobs/${job.id}`));
				}
				catch {
					return;
				}
				follow(jobs.get(job.id));
			}
		});
}

function update(job) {
	const before = jobs.get(job.id);
	jobs.set(job.id, job);
	const li = listEl().querySelector(`li[data-job="${job.id}"]`);
	if (li && li.dataset.status === job.status) {
		patchProgress(li, job);
	}
	else if (li) {
		li.replaceWith(jobItem(job));
	}
	else {
		renderList();
	}
	if (job.id === selected) {
		const panel = detailEl().querySelector('[data-testid="job-detail"]');
		// progress alone moves the bar in place (so it glides); a new epoch or status redraws the panel
		if (panel && panel.dataset.job === job.id && panel.dataset.status === job.status
				&& Number(panel.dataset.epochs) === (job.history || []).length) {
			patchProgress(panel, job);
		}
		else {
			renderDetail();
		}
	}
	if (FINISHED.has(job.status) && before && !FINISHED.has(before.status)) {
		toast(`${job.model}: ${job.status}${job.resultModel ? ` → ${job.resultModel}` : ''}`, job.status === 'SUCCEEDED' ? 'ok' : 'warn');
		onJobFinished(job);
	}
}

function renderList() {
	const items = sorted().map(jobItem);
	listEl().replaceChildren(...(items.length ? items : [h('li', { class: 'muted empty' }, 'No jobs yet: start one with the form.')]));
}

function fraction(job) {
	if (job.status === 'SUCCEEDED') {
		return 1;
	}
	return Math.min(1, Math.max(0, job.progress?.fraction ?? 0));
}

function progressBar(job) {
	const f = fraction(job);
	return h('div', { class: `progress ${job.status.toLowerCase()}`, role: 'progressbar', 'aria-valuemin': 0,
		'aria-valuemax': 1, 'aria-valuenow': f.toFixed(4), 'data-testid': 'job-progress' },
	h('div', { class: 'progress-fill', style: `width:${(f * 100).toFixed(1)}%` }));
}

function progressText(job) {
	const p = job.progress;
	if (job.status === 'RUNNING' && p) {
		return `epoch ${p.epoch}/${p.epochs} · batch ${p.batch}/${p.batches} · ${(fraction(job) * 100).toFixed(0)}% · ETA ${duration(p.etaSeconds)}`;
	}
	if (job.status === 'QUEUED') {
		return 'waiting for a worker';
	}
	if (job.status === 'SUCCEEDED') {
		return `→ ${job.resultModel} · ${duration((Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000)}`;
	}
	return job.error || job.status.toLowerCase();
}

function patchProgress(container, job) {
	const bar = container.querySelector('[data-testid="job-progress"]');
	const f = fraction(job);
	bar.setAttribute('aria-valuenow', f.toFixed(4));
	bar.firstChild.style.width = `${(f * 100).toFixed(1)}%`;
	const text = container.querySelector('.progress-text');
	text.textContent = progressText(job);
	text.title = progressText(job);
}

function jobItem(job) {
	return h('li', { class: job.id === selected ? 'selected' : null, dataset: { job: job.id, status: job.status },
		onclick: () => selectJob(job.id) },
	h('div', { class: 'row' }, h('strong', {}, job.model), statusBadge(job.status)),
	h('div', { class: 'row small muted' }, h('span', {}, `${job.architecture ?? ''} · ${when(job.createdAt)}`)),
	progressBar(job),
	h('div', { class: 'small muted ellipsis progress-text', title: progressText(job) }, progressText(job)));
}

let matrixFor = null;

function renderDetail() {
	const job = jobs.get(selected);
	if (!job) {
		detailEl().replaceChildren();
		return;
	}
	const history = job.history || [];
	const classifier = (job.task ?? 'image-classification') === 'image-classification';
	const epochs = job.progress?.epochs ?? job.request?.hyperparameters?.epochs;
	const charts = history.length ? [
		lineChart({ title: 'Loss', xLabel: 'epoch', integerX: true, xMax: epochs, testId: 'loss-chart', series: [
			{ name: 'train', color: '#2563eb', points: history.map((e) => [e.epoch, e.trainLoss]) },
			{ name: 'validation', color: '#ea7317', points: history.map((e) => [e.epoch, e.valLoss]) }] }),
		classifier ? lineChart({ title: 'Accuracy', xLabel: 'epoch', integerX: true, xMax: epochs, testId: 'accuracy-chart', series: [
			{ name: 'train', color: '#2563eb', points: history.map((e) => [e.epoch, e.trainAccuracy]) },
			{ name: 'validation', color: '#ea7317', points: history.map((e) => [e.epoch, e.valAccuracy]) }] }) : null,
	] : [h('p', { class: 'muted chart-placeholder' }, job.status === 'QUEUED' || job.status === 'RUNNING'
		? 'Curves appear when the first epoch ends.' : 'No epochs were recorded.')];
	const cancel = FINISHED.has(job.status) ? null : h('button', { class: 'danger', 'data-testid': 'cancel-job',
		onclick: async () => {
			if (await confirmDialog('Cancel job', `Stop training ${job.model} at its next batch?`, 'Cancel job')) {
				try {
					update(await api(`/api/v1/training-jobs/${job.id}/cancel`, { method: 'POST' }));
				}
				catch (err) {
					toast(err.message, 'warn');
				}
			}
		} }, 'Cancel');
	const matrix = h('div', { class: 'matrix-slot' });
	detailEl().replaceChildren(h('div', { class: 'card job-detail', 'data-testid': 'job-detail',
		dataset: { job: job.id, status: job.status, epochs: history.length } },
		h('div', { class: 'row' }, h('h2', {}, job.model, ' ', statusBadge(job.status)), cancel),
		h('div', { class: 'small muted' }, `${job.architecture ?? ''} · ${job.device ?? ''} · ${epochs ?? '?'} epochs · dataset ${String(job.dataset).slice(0, 8)}`
			+ (job.request?.baseModel ? ` · base ${job.request.baseModel} (${job.request.transfer?.mode ?? 'feature-extraction'})` : '')),
		progressBar(job),
		h('div', { class: 'small progress-text' }, progressText(job)),
		job.error ? problemBox({ message: job.error }) : null,
		h('div', { class: 'charts' }, charts),
		history.length ? h('p', { class: 'small muted' }, `best validation ${classifier ? 'accuracy' : 'loss'}: `,
			classifier ? num(Math.max(...history.map((e) => e.valAccuracy))) : num(Math.min(...history.map((e) => e.valLoss)), 4)) : null,
		matrix));
	if (job.status === 'SUCCEEDED' && job.resultModel && classifier) {
		showMatrix(job.resultModel, matrix);
	}
}

async function showMatrix(ref, slot) {
	const [name, version] = ref.split(':');
	try {
		if (matrixFor?.ref !== ref) {
			matrixFor = { ref, version: await api(`/api/v1/models/${encodeURIComponent(name)}/versions/${version}`) };
		}
		const v = matrixFor.version;
		if (v.metrics?.confusionMatrix && v.labels) {
			slot.replaceChildren(...[confusionMatrix(v.labels, v.metrics.confusionMatrix), testResults(v.labels, v.metrics)]
				.filter(Boolean));
		}
	}
	catch (err) {
		slot.replaceChildren(problemBox(err));
	}
}
