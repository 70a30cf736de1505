#!/usr/bin/luajit
-- jitlua: an ordinary JIT runtime: Debian's LuaJIT compiling hot loops to machine code.
-- LuaJIT maps its machine-code areas (anonymous, r-x once written) within jump reach of
-- its VM, each starting with a link to the previous area and its own size. Legitimate:
-- must give no finding above info. Copied to /lab/bin/jitlua by build-lab.sh (*.lua
-- scenarios), with the host's luajit and the libraries it links.
local ffi = require("ffi")
ffi.cdef [[
unsigned int sleep(unsigned int seconds);
int getpid(void);
]]

local sum = 0
for i = 1, 3000000 do
	sum = sum + (i % 7) * 3
end
local function inner(n)
	local t = 0
	for j = 1, n do
		t = t + j % 5
	end
	return t
end
for _ = 1, 300 do
	sum = sum + inner(1000)
end
local status = jit.status()
io.write(string.format('{"pid":%d,"program":"jitlua","kind":"benign","start":"0x0",' ..
	'"end":"0x0","perms":"----","runtime":"%s","jit":%s,"sum":%d}\n',
	ffi.C.getpid(), jit.version, tostring(status), sum))
io.write("#READY\n")
io.flush()
while true do
	ffi.C.sleep(3600)
end
