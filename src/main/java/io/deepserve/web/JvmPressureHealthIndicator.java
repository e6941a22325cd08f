package io.deepserve.web;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Part of liveness: DOWN while the JVM can do no useful work, collecting garbage most of the time with the heap still
 * nearly full after each collection. Such a JVM answers a probe now and then but nothing else; only a restart helps,
 * and a failing liveness probe is how Kubernetes is told to do it.
 */
@Component
class JvmPressureHealthIndicator implements HealthIndicator {

	/** Share of wall time spent in GC, over the window, beyond which the JVM counts as thrashing. */
	static final double MAX_GC_SHARE = 0.5;

	/** Share of the maximum heap still used after the last collections beyond which the heap counts as full. */
	static final double MAX_HEAP_AFTER_GC = 0.9;

	static final Duration WINDOW = Duration.ofSeconds(30);

	/** Less time than this since the first sample says nothing yet. */
	private static final Duration MIN_SPAN = Duration.ofSeconds(5);

	private final LongSupplier nanos;

	private final LongSupplier gcMillis;

	private final DoubleSupplier heapAfterGc;

	/** (time in nanos, cumulative GC millis), oldest first, one just older than the window kept. */
	private final Deque<long[]> samples = new ArrayDeque<>();

	JvmPressureHealthIndicator() {
		this(System::nanoTime, JvmPressureHealthIndicator::totalGcMillis, JvmPressureHealthIndicator::heapAfterGc);
	}

	JvmPressureHealthIndicator(LongSupplier nanos, LongSupplier gcMillis, DoubleSupplier heapAfterGc) {
		this.nanos = nanos;
		this.gcMillis = gcMillis;
		this.heapAfterGc = heapAfterGc;
		samples.add(new long[] { nanos.getAsLong(), gcMillis.getAsLong() });
	}

	@Override
	public synchronized Health health() {
		long now = nanos.getAsLong();
		long gc = gcMillis.getAsLong();
		samples.addLast(new long[] { now, gc });
		while (samples.size() > 2 && now - secondOldest()[0] >= WINDOW.toNanos()) {
			samples.removeFirst();
		}
		long[] first = samples.peekFirst();
		double spanMillis = (now - first[0]) / 1e6;
		double gcShare = spanMillis >= MIN_SPAN.toMillis() ? (gc - first[1]) / spanMillis : 0;
		double heap = heapAfterGc.getAsDouble();
		Health.Builder health = gcShare > MAX_GC_SHARE && heap > MAX_HEAP_AFTER_GC ? Health.down() : Health.up();
		return health.withDetail("gcTimeShare", Math.round(gcShare * 1000) / 1000.0)
			.withDetail("heapUsedAfterGc", Math.round(heap * 1000) / 1000.0)
			.withDetail("overSeconds", Math.round(spanMillis / 1000))
			.build();
	}

	private long[] secondOldest() {
		var it = samples.iterator();
		it.next();
		return it.next();
	}

	private static long totalGcMillis() {
		long total = 0;
		for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
			total += Math.max(0, gc.getCollectionTime());
		}
		return total;
	}

	/** What the heap pools held right after their last collection, as a share of the maximum heap. */
	private static double heapAfterGc() {
		long used = 0;
		for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
			MemoryUsage after = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
			if (after != null) {
				used += after.getUsed();
			}
		}
		return (double) used / Runtime.getRuntime().maxMemory();
	}

}
