// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem: fault injection. A device holds rules; a rule names a range of
 * pages, an action (fail like an I/O error, like a memory error, like a
 * full disk, or wait like a slow page-in) and a trigger (every access, the
 * first N, all after the first N, at random with a seed, reads or writes
 * only, one process tree only). The fault handler and read()/write() ask
 * faultmem_inject_access() about each access while the device has rules;
 * while it has none they read one integer (faultmem_inject_active()).
 *
 * What each action looks like to the process, and how a fault waits
 * without its locks, is in docs/design.md ("Faults on demand").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/overflow.h>
#include <linux/pid.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include <faultmem.h>

#include "faultmem_dev.h"

/**
 * struct faultmem_rule - one rule of a device (see struct
 * faultmem_inject_rule in the uapi header for what the fields mean)
 * @node:	in faultmem_inject.rules
 * @first:	first page covered
 * @last:	last page covered
 * @action:	enum faultmem_inject_action
 * @flags:	FAULTMEM_INJECT_READS, _WRITES, _SEED
 * @delay_ns:	the wait of a delay rule
 * @times:	firings asked for, 0: until cleared
 * @remaining:	firings left, with @times
 * @after:	accesses to let pass
 * @accesses:	accesses seen so far
 * @probability: parts per billion, 0: every access
 * @seed:	the seed @rnd started from
 * @rnd:	the rule's own random sequence, so that a seed replays
 * @pid:	only this process tree's accesses count; NULL: everyone's
 * @id:		unique on the device
 * @fired:	accesses made to fail or wait
 *
 * Everything that changes after the rule is added (@remaining,
 * @accesses, @rnd, @fired) is protected by faultmem_inject.lock.
 */
struct faultmem_rule {
	struct list_head node;
	pgoff_t first;
	pgoff_t last;
	u32 action;
	u32 flags;
	u64 delay_ns;
	u64 times;
	u64 remaining;
	u64 after;
	u64 accesses;
	u32 probability;
	u64 seed;
	struct rnd_state rnd;
	struct pid *pid;
	u64 id;
	u64 fired;
};

/* The names the tool, the sysfs listing and the docs use. */
static const char *const faultmem_inject_action_name[] = {
	[FAULTMEM_INJECT_SIGBUS]	= "sigbus",
	[FAULTMEM_INJECT_HWPOISON]	= "hwpoison",
	[FAULTMEM_INJECT_NOSPACE]	= "nospace",
	[FAULTMEM_INJECT_DELAY]		= "delay",
};

void faultmem_inject_init(struct faultmem_dev *fdev)
{
	spin_lock_init(&fdev->inject.lock);
	INIT_LIST_HEAD(&fdev->inject.rules);
}

static void faultmem_rule_free(struct faultmem_rule *rule)
{
	put_pid(rule->pid);
	kfree(rule);
}

static void faultmem_rule_unlink(struct faultmem_dev *fdev,
				 struct faultmem_rule *rule,
				 struct list_head *gone)
{
	lockdep_assert_held(&fdev->inject.lock);
	list_move_tail(&rule->node, gone);
	WRITE_ONCE(fdev->inject.nr, fdev->inject.nr - 1);
}

static void faultmem_rules_free(struct list_head *gone)
{
	struct faultmem_rule *rule, *next;

	list_for_each_entry_safe(rule, next, gone, node)
		faultmem_rule_free(rule);
}

/* Only reached once no file is open: nothing can try the rules. */
void faultmem_inject_destroy(struct faultmem_dev *fdev)
{
	LIST_HEAD(gone);

	spin_lock(&fdev->inject.lock);
	list_splice_init(&fdev->inject.rules, &gone);
	fdev->inject.nr = 0;
	spin_unlock(&fdev->inject.lock);
	faultmem_rules_free(&gone);
}

/*
 * Whether the current task is the process @pid or one of its descendants.
 * An orphan is adopted by a subreaper or init and leaves the tree, as it
 * leaves its shell's job.
 */
static bool faultmem_current_descends_from(struct pid *pid)
{
	struct task_struct *task;
	bool found = false;

	rcu_read_lock();
	for (task = current; task->pid; task = rcu_dereference(task->real_parent)) {
		if (task_tgid(task) == pid) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

static bool faultmem_rule_matches(const struct faultmem_rule *rule,
				  pgoff_t index, unsigned int access)
{
	bool write = access & FAULTMEM_ACCESS_WRITE;

	if (index < rule->first || index > rule->last)
		return false;
	if ((rule->flags & FAULTMEM_INJECT_READS) && write)
		return false;
	if ((rule->flags & FAULTMEM_INJECT_WRITES) && !write)
		return false;
	/* A full disk fails only what needs a new page. */
	if (rule->action == FAULTMEM_INJECT_NOSPACE &&
	    !(access & FAULTMEM_ACCESS_ALLOCATES))
		return false;
	if (rule->action == FAULTMEM_INJECT_DELAY &&
	    (access & FAULTMEM_ACCESS_RETRY))
		return false;
	return !rule->pid || faultmem_current_descends_from(rule->pid);
}

/*
 * The trigger: let @after accesses pass, then fire with the rule's
 * probability. r / 2^32 < p / 10^9, in integers: neither side can
 * overflow 64 bits.
 */
static bool faultmem_rule_fires(struct faultmem_rule *rule)
{
	if (++rule->accesses <= rule->after)
		return false;
	if (rule->probability &&
	    (u64)prandom_u32_state(&rule->rnd) * FAULTMEM_INJECT_PROBABILITY_ONE >=
	    (u64)rule->probability << 32)
		return false;
	rule->fired++;
	return true;
}

/* Where each action's firings are counted, in struct faultmem_stats. */
static const size_t faultmem_injection_counters[] = {
	[FAULTMEM_INJECT_SIGBUS] = offsetof(struct faultmem_stats,
					    injected_sigbus),
	[FAULTMEM_INJECT_HWPOISON] = offsetof(struct faultmem_stats,
					      injected_hwpoison),
	[FAULTMEM_INJECT_NOSPACE] = offsetof(struct faultmem_stats,
					     injected_nospace),
	[FAULTMEM_INJECT_DELAY] = offsetof(struct faultmem_stats,
					   injected_delays),
};

/* Count a firing in its action's counter (none: 0, nothing fired). */
static void faultmem_count_injection(struct faultmem_dev *fdev, u32 action)
{
	if (action && action < ARRAY_SIZE(faultmem_injection_counters))
		faultmem_count_at(fdev, faultmem_injection_counters[action], 1);
}

/**
 * faultmem_inject_access() - what the rules make of one access
 * @fdev:	the device
 * @index:	the page accessed
 * @access:	FAULTMEM_ACCESS_* flags
 *
 * The rules are tried in the order they were added; each one that covers
 * the access counts it, and the first that fires decides. A rule whose
 * @times firings are spent is removed. The caller acts on the answer.
 *
 * Return: the action (0: none) and, for a delay, how long.
 */
struct faultmem_injection faultmem_inject_access(struct faultmem_dev *fdev,
						 pgoff_t index,
						 unsigned int access)
{
	struct faultmem_injection injection = {};
	struct faultmem_rule *rule;
	LIST_HEAD(gone);

	spin_lock(&fdev->inject.lock);
	list_for_each_entry(rule, &fdev->inject.rules, node) {
		if (!faultmem_rule_matches(rule, index, access) ||
		    !faultmem_rule_fires(rule))
			continue;
		injection.action = rule->action;
		injection.delay_ns = rule->delay_ns;
		if (rule->times && !--rule->remaining)
			faultmem_rule_unlink(fdev, rule, &gone);
		break;
	}
	spin_unlock(&fdev->inject.lock);

	faultmem_rules_free(&gone);
	faultmem_count_injection(fdev, injection.action);
	return injection;
}

/**
 * faultmem_inject_covers() - whether any rule covers a page of a range
 * @fdev:	the device
 * @first:	first page
 * @last:	last page
 *
 * Whatever its trigger: fault-around must leave every such page to the
 * fault handler, and no large folio may hold one.
 *
 * Return: true if a rule covers a page of [@first, @last].
 */
bool faultmem_inject_covers(struct faultmem_dev *fdev, pgoff_t first,
			    pgoff_t last)
{
	struct faultmem_rule *rule;
	bool covers = false;

	spin_lock(&fdev->inject.lock);
	list_for_each_entry(rule, &fdev->inject.rules, node) {
		if (rule->first <= last && first <= rule->last) {
			covers = true;
			break;
		}
	}
	spin_unlock(&fdev->inject.lock);
	return covers;
}

/**
 * faultmem_inject_wait() - wait like a slow page-in, killably
 * @delay_ns:	how long
 *
 * In TASK_KILLABLE, as a task waits for a page's I/O: it counts in the
 * load average, and a fatal signal wakes it. A wake-up before the
 * deadline that is not one goes back to sleep.
 *
 * Return: 0, or -EINTR when a fatal signal ended the wait.
 */
int faultmem_inject_wait(u64 delay_ns)
{
	u64 deadline = ktime_get_ns() + delay_ns;

	for (;;) {
		u64 now = ktime_get_ns();
		ktime_t sleep;

		if (now >= deadline)
			return 0;
		if (fatal_signal_pending(current))
			return -EINTR;
		sleep = ns_to_ktime(deadline - now);
		set_current_state(TASK_KILLABLE);
		schedule_hrtimeout(&sleep, HRTIMER_MODE_REL);
	}
}

/**
 * faultmem_inject_io() - what the rules make of read() or write() at a page
 * @fdev:	the device
 * @index:	the page the call has reached
 * @write:	write() rather than read()
 *
 * A page whose read failed, a memory error and a full disk fail the call
 * there, as for a file: it returns the bytes before the page, or the
 * error when the page is the first. A read never allocates, so nospace
 * fails only write()s to a page that is not resident.
 *
 * Return: 0 to go on (after a delay rule's wait), -EIO (sigbus and
 * hwpoison), -ENOSPC (nospace), or -EINTR when a fatal signal ended a wait.
 */
int faultmem_inject_io(struct faultmem_dev *fdev, pgoff_t index, bool write)
{
	struct faultmem_injection injection;
	unsigned int access = 0;

	if (write) {
		access |= FAULTMEM_ACCESS_WRITE;
		if (!xa_load(&faultmem_mapping(fdev)->i_pages, index))
			access |= FAULTMEM_ACCESS_ALLOCATES;
	}
	injection = faultmem_inject_access(fdev, index, access);
	switch (injection.action) {
	case FAULTMEM_INJECT_SIGBUS:
	case FAULTMEM_INJECT_HWPOISON:
		return -EIO;
	case FAULTMEM_INJECT_NOSPACE:
		return -ENOSPC;
	case FAULTMEM_INJECT_DELAY:
		return faultmem_inject_wait(injection.delay_ns);
	default:
		return 0;
	}
}

/*
 * Whether a rule from userspace makes sense. Every field the rule does
 * not use must be 0, so that it can get a meaning later.
 */
static int faultmem_rule_check(const struct faultmem_inject_rule *u)
{
	const u32 known = FAULTMEM_INJECT_READS | FAULTMEM_INJECT_WRITES |
			  FAULTMEM_INJECT_SEED;
	u64 last;

	if (u->id || u->fired || u->remaining || u->reserved[0] ||
	    u->reserved[1])
		return -EINVAL;
	if (u->action < FAULTMEM_INJECT_SIGBUS ||
	    u->action > FAULTMEM_INJECT_DELAY)
		return -EINVAL;
	if ((u->flags & ~known) ||
	    ((u->flags & FAULTMEM_INJECT_READS) &&
	     (u->flags & FAULTMEM_INJECT_WRITES)))
		return -EINVAL;
	if (u->action == FAULTMEM_INJECT_DELAY ?
	    !u->delay_ns || u->delay_ns > FAULTMEM_INJECT_MAX_DELAY_NS :
	    u->delay_ns)
		return -EINVAL;
	if (u->probability > FAULTMEM_INJECT_PROBABILITY_ONE ||
	    ((u->flags & FAULTMEM_INJECT_SEED) && !u->probability))
		return -EINVAL;
	/* Pages a device can have: below max_size, not only the size. */
	if (!u->nr_pages || check_add_overflow(u->first_page, u->nr_pages - 1,
					       &last) ||
	    last >= faultmem_max_size >> PAGE_SHIFT)
		return -EINVAL;
	return 0;
}

/* A new rule from a checked struct faultmem_inject_rule. */
static struct faultmem_rule *
faultmem_rule_new(const struct faultmem_inject_rule *u)
{
	struct faultmem_rule *rule = kzalloc(sizeof(*rule), GFP_KERNEL);

	if (!rule)
		return ERR_PTR(-ENOMEM);
	if (u->pid) {
		/* A process: the ID of a thread group, as kill() takes. */
		rule->pid = find_get_pid(u->pid);
		if (!rule->pid || !pid_has_task(rule->pid, PIDTYPE_TGID)) {
			put_pid(rule->pid);
			kfree(rule);
			return ERR_PTR(-ESRCH);
		}
	}
	rule->first = u->first_page;
	rule->last = u->first_page + u->nr_pages - 1;
	rule->action = u->action;
	rule->flags = u->flags;
	rule->delay_ns = u->delay_ns;
	rule->times = u->times;
	rule->remaining = u->times;
	rule->after = u->after;
	rule->probability = u->probability;
	rule->seed = u->flags & FAULTMEM_INJECT_SEED ? u->seed :
						       get_random_u64();
	prandom_seed_state(&rule->rnd, rule->seed);
	return rule;
}

/**
 * faultmem_inject_add() - add a rule (FAULTMEM_IOC_INJECT_ADD)
 * @fdev:	the device
 * @urule:	the rule; its ID and seed are written back
 *
 * The pages the rule covers must fault on their next access, in every
 * mapping: each is first made its own folio (a large folio would be
 * mapped whole, a PMD for many pages, by a fault on any of them), then the
 * rule is published, then the pages are unmapped. The invalidate lock,
 * held exclusive, keeps faults out meanwhile; fault-around, which looks at
 * the rules without it, is waited out with synchronize_rcu(). No byte
 * changes, and a rule that cannot be added leaves no trace but smaller
 * folios.
 *
 * Return: 0, -EINVAL for a bad rule, -ESRCH for a pid that names no
 * process, -ENOSPC when the device has FAULTMEM_INJECT_MAX_RULES rules,
 * -ENOMEM, or -EBUSY when a pinned large folio could not be split.
 */
int faultmem_inject_add(struct faultmem_dev *fdev,
			struct faultmem_inject_rule *urule)
{
	struct address_space *mapping = faultmem_mapping(fdev);
	struct faultmem_rule *rule;
	pgoff_t first, last;
	int ret;

	ret = faultmem_rule_check(urule);
	if (ret)
		return ret;
	rule = faultmem_rule_new(urule);
	if (IS_ERR(rule))
		return PTR_ERR(rule);

	filemap_invalidate_lock(mapping);
	/* Only adds raise the count, and they hold the invalidate lock. */
	if (READ_ONCE(fdev->inject.nr) >= FAULTMEM_INJECT_MAX_RULES) {
		ret = -ENOSPC;
		goto unlock;
	}
	ret = faultmem_store_isolate_pages(fdev, rule->first, rule->last);
	if (ret)
		goto unlock;

	/*
	 * Once published, the rule is the list's: a clear or its last
	 * firing may free it at any time. Take what is needed now.
	 */
	first = rule->first;
	last = rule->last;
	urule->seed = rule->seed;
	spin_lock(&fdev->inject.lock);
	rule->id = ++fdev->inject.next_id;
	urule->id = rule->id;
	list_add_tail(&rule->node, &fdev->inject.rules);
	WRITE_ONCE(fdev->inject.nr, fdev->inject.nr + 1);
	spin_unlock(&fdev->inject.lock);
	rule = NULL;

	synchronize_rcu();
	faultmem_store_unmap_pages(fdev, first, last);
unlock:
	filemap_invalidate_unlock(mapping);
	if (rule)
		faultmem_rule_free(rule);
	return ret;
}

/**
 * faultmem_inject_clear() - remove rules (FAULTMEM_IOC_INJECT_CLEAR)
 * @fdev:	the device
 * @clear:	which: one by ID, or every rule covering a page of a range
 *
 * Pages need no attention: where a page under the rule is mapped, an
 * access the rule let pass mapped it, and it may stay so.
 *
 * Return: how many rules were removed, or -EINVAL.
 */
int faultmem_inject_clear(struct faultmem_dev *fdev,
			  const struct faultmem_inject_clear *clear)
{
	struct faultmem_rule *rule, *next;
	u64 first = clear->first_page, last;
	LIST_HEAD(gone);
	int removed = 0;

	if (clear->flags || clear->reserved)
		return -EINVAL;
	if (clear->id ? clear->first_page || clear->nr_pages :
	    !clear->nr_pages ||
	    check_add_overflow(first, clear->nr_pages - 1, &last))
		return -EINVAL;

	spin_lock(&fdev->inject.lock);
	list_for_each_entry_safe(rule, next, &fdev->inject.rules, node) {
		if (clear->id ? rule->id != clear->id :
		    rule->first > last || rule->last < first)
			continue;
		faultmem_rule_unlink(fdev, rule, &gone);
		removed++;
	}
	spin_unlock(&fdev->inject.lock);
	faultmem_rules_free(&gone);
	return removed;
}

/*
 * Copy up to @room rules, in order, into @out as userspace sees them.
 * Return: how many rules the device has.
 */
static unsigned int faultmem_inject_snapshot(struct faultmem_dev *fdev,
					     struct faultmem_inject_rule *out,
					     unsigned int room)
{
	struct faultmem_rule *rule;
	unsigned int nr = 0;

	spin_lock(&fdev->inject.lock);
	list_for_each_entry(rule, &fdev->inject.rules, node) {
		if (nr < room)
			out[nr] = (struct faultmem_inject_rule) {
				.first_page	= rule->first,
				.nr_pages	= rule->last - rule->first + 1,
				.action		= rule->action,
				.flags		= rule->flags,
				.delay_ns	= rule->delay_ns,
				.times		= rule->times,
				.after		= rule->after,
				.probability	= rule->probability,
				.pid		= rule->pid ? pid_vnr(rule->pid) : 0,
				.seed		= rule->seed,
				.id		= rule->id,
				.fired		= rule->fired,
				.remaining	= rule->remaining,
			};
		nr++;
	}
	spin_unlock(&fdev->inject.lock);
	return nr;
}

/**
 * faultmem_inject_list() - read the rules (FAULTMEM_IOC_INJECT_LIST)
 * @fdev:	the device
 * @list:	the request; @list->nr is set to the number of rules
 *
 * Return: 0, -EINVAL for non-zero flags or reserved, -ENOMEM or -EFAULT.
 */
int faultmem_inject_list(struct faultmem_dev *fdev,
			 struct faultmem_inject_list *list)
{
	unsigned int room = min_t(u32, list->nr, FAULTMEM_INJECT_MAX_RULES);
	struct faultmem_inject_rule *rules;
	unsigned int nr;
	int ret = 0;

	if (list->flags || list->reserved)
		return -EINVAL;
	rules = kcalloc(FAULTMEM_INJECT_MAX_RULES, sizeof(*rules), GFP_KERNEL);
	if (!rules)
		return -ENOMEM;
	nr = faultmem_inject_snapshot(fdev, rules, room);
	if (copy_to_user(u64_to_user_ptr(list->rules), rules,
			 min(nr, room) * sizeof(*rules)))
		ret = -EFAULT;
	kfree(rules);
	list->nr = nr;
	return ret;
}

/* A delay in the largest unit that shows it exactly. */
static int faultmem_format_delay(char *buf, size_t size, u64 ns)
{
	static const struct {
		u64 ns;
		const char *unit;
	} units[] = {
		{ NSEC_PER_SEC, "s" }, { NSEC_PER_MSEC, "ms" },
		{ NSEC_PER_USEC, "us" }, { 1, "ns" },
	};
	unsigned int i = 0;

	while (ns % units[i].ns)
		i++;
	return scnprintf(buf, size, " %llu%s", div64_u64(ns, units[i].ns),
			 units[i].unit);
}

/* Parts per billion as a decimal: 1, 0.5, 0.000001. */
static int faultmem_format_probability(char *buf, size_t size, u32 ppb)
{
	char digits[10];
	int len;

	if (ppb == FAULTMEM_INJECT_PROBABILITY_ONE)
		return scnprintf(buf, size, " --probability 1");
	len = scnprintf(digits, sizeof(digits), "%09u", ppb);
	while (len > 1 && digits[len - 1] == '0')
		digits[--len] = '\0';
	return scnprintf(buf, size, " --probability 0.%s", digits);
}

/*
 * One rule as a line in the tool's syntax (faultmem inject's action and
 * options), followed by its state: what `faultmem inject DEV list`
 * prints too.
 */
static int faultmem_format_rule(char *buf, size_t size,
				const struct faultmem_inject_rule *r)
{
	u64 last = r->first_page + r->nr_pages - 1;
	int len;

	len = scnprintf(buf, size, "%s", faultmem_inject_action_name[r->action]);
	if (r->action == FAULTMEM_INJECT_DELAY)
		len += faultmem_format_delay(buf + len, size - len, r->delay_ns);
	len += scnprintf(buf + len, size - len, " %llu", r->first_page);
	if (last != r->first_page)
		len += scnprintf(buf + len, size - len, "-%llu", last);
	if (r->times)
		len += scnprintf(buf + len, size - len, " --times %llu",
				 r->times);
	if (r->after)
		len += scnprintf(buf + len, size - len, " --after %llu",
				 r->after);
	if (r->probability) {
		len += faultmem_format_probability(buf + len, size - len,
						   r->probability);
		len += scnprintf(buf + len, size - len, " --seed %llu",
				 r->seed);
	}
	if (r->flags & FAULTMEM_INJECT_READS)
		len += scnprintf(buf + len, size - len, " --reads");
	if (r->flags & FAULTMEM_INJECT_WRITES)
		len += scnprintf(buf + len, size - len, " --writes");
	if (r->pid)
		len += scnprintf(buf + len, size - len, " --pid %u", r->pid);
	len += scnprintf(buf + len, size - len, " fired=%llu", r->fired);
	if (r->times)
		len += scnprintf(buf + len, size - len, " remaining=%llu",
				 r->remaining);
	else
		len += scnprintf(buf + len, size - len, " remaining=unlimited");
	len += scnprintf(buf + len, size - len, " id=%llu\n", r->id);
	return len;
}

/* The longest line faultmem_format_rule() can write, and then some. */
#define FAULTMEM_RULE_LINE_MAX	320

/**
 * faultmem_inject_show() - the sysfs file "inject": the rules, a line each
 * @fdev:	the device
 * @buf:	the PAGE_SIZE buffer of a sysfs show
 *
 * Rules that do not fit in the page are summed up in a last line, which
 * points at the ioctl that lists them all.
 *
 * Return: the length written, or -ENOMEM.
 */
ssize_t faultmem_inject_show(struct faultmem_dev *fdev, char *buf)
{
	struct faultmem_inject_rule *rules;
	char line[FAULTMEM_RULE_LINE_MAX];
	unsigned int nr, i;
	ssize_t len = 0;

	rules = kcalloc(FAULTMEM_INJECT_MAX_RULES, sizeof(*rules), GFP_KERNEL);
	if (!rules)
		return -ENOMEM;
	nr = faultmem_inject_snapshot(fdev, rules, FAULTMEM_INJECT_MAX_RULES);
	for (i = 0; i < nr; i++) {
		int n = faultmem_format_rule(line, sizeof(line), &rules[i]);

		/* Keep room for the summary line. */
		if (len + n > PAGE_SIZE - 64) {
			len += sysfs_emit_at(buf, len,
					     "# %u more: faultmem inject DEV list\n",
					     nr - i);
			break;
		}
		len += sysfs_emit_at(buf, len, "%s", line);
	}
	kfree(rules);
	return len;
}
