"""Compares conformance_probe's two runs (conformance.sh).

    conformance_compare.py KERNEL_OUTPUT LWNET_OUTPUT DIFFERENCES

Both runs must make the same steps in the same order, each with the same
result, but for the steps DIFFERENCES lists with both results (each of
which must still be a difference: a stale entry fails too; an entry marked
"? " is for a step only some builds make, and may be absent). Prints every
problem and a summary line; exit status 1 when there is a problem.
"""
import sys


def steps(path):
    out = []
    for line in open(path):
        step, _, result = line.rstrip("\n").partition(": ")
        out.append((step, result))
    return out


def main():
    kernel, lwnet = steps(sys.argv[1]), steps(sys.argv[2])
    allowed = {}
    optional_steps = set()
    for line in open(sys.argv[3]):
        if line.startswith("#") or not line.strip():
            continue
        optional = line.startswith("? ")
        step, kernel_result, lwnet_result, _why = [f.strip() for f in line.removeprefix("? ").split(" | ", 3)]
        allowed[step] = (kernel_result, lwnet_result)
        if optional:
            optional_steps.add(step)
    problems = []
    if [s for s, _ in kernel] != [s for s, _ in lwnet]:
        problems.append("the two runs made different steps")
    used = set()
    for (step, k), (_, l) in zip(kernel, lwnet):
        if k == l:
            continue
        if allowed.get(step) == (k, l):
            used.add(step)
            continue
        problems.append(f"{step}: kernel {k!r}, lwnet {l!r}")
    made = {s for s, _ in kernel}
    for step in sorted(set(allowed) - used):
        if step in optional_steps and step not in made:
            continue
        problems.append(f"{step}: listed as a difference, but the results are "
                        f"{dict(kernel).get(step)!r} and {dict(lwnet).get(step)!r}")
    for problem in problems:
        print(problem)
    print(f"{len(kernel)} steps, {len(used)} listed differences, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
