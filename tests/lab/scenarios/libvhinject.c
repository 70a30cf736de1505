/* libvhinject: the shared object the injectso scenario injects (built with -shared,
 * no libc: it is only mapped, never run). */
const char vh_inject_marker[] = "VMAHUNT-INJECTED-LIBRARY";

int vh_inject_entry(void)
{
	return (int)sizeof(vh_inject_marker);
}
