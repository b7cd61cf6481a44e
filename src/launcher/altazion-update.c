/*
 * altazion-update.exe, the Windows launcher: runs the Node runtime shipped beside it under its own
 * name, node.exe, with the bundle beside it:
 *     "<folder>\node.exe" "<folder>\altazion-update.cjs" <the arguments it was given, verbatim>
 * Why a launcher and not one single executable: edge-js's native module (edge_nativeclr.node, the
 * in-process bridge to the .NET Framework) imports the Node API from a module named "node.exe" and
 * has no delay-load hook. Inside an executable of another name the Windows loader cannot resolve
 * that import ("node.exe not found"), or, when some node.exe is on the search path, maps a second
 * Node into the process. Run as node.exe, the import resolves to the running process.
 *
 * The launcher is transparent: same console, standard handles inherited, exit code returned.
 * Ctrl+C / Ctrl+Break reach node.exe (same console process group), which handles them; the launcher
 * ignores them and waits. node.exe runs in a job object that kills it if the launcher is killed, as
 * killing the single executable used to. Built with mingw-w64 by build.mjs; Win32 API only.
 */
#define WIN32_LEAN_AND_MEAN
#ifndef UNICODE
#define UNICODE
#endif
#ifndef _UNICODE
#define _UNICODE
#endif
#include <windows.h>
#include <wchar.h>

static BOOL WINAPI ignore_console_event(DWORD event) {
    (void)event;
    return TRUE; /* node.exe receives the same event and decides */
}

/* The arguments after argv[0], as typed: argv[0] ends at the closing quote when it starts with
   one, else at the first space or tab (the rule CommandLineToArgvW applies to the program name). */
static const wchar_t *arguments_after_program(const wchar_t *line) {
    if (*line == L'"') {
        line++;
        while (*line && *line != L'"') line++;
        if (*line == L'"') line++;
    } else {
        while (*line && *line != L' ' && *line != L'\t') line++;
    }
    while (*line == L' ' || *line == L'\t') line++;
    return line;
}

static void fail(const wchar_t *what, const wchar_t *path) {
    DWORD error = GetLastError();
    wchar_t message[1024];
    DWORD written;
    HANDLE err = GetStdHandle(STD_ERROR_HANDLE);
    int n = _snwprintf(message, 1023, L"altazion-update: %ls %ls failed (Windows error %lu)\r\n", what, path, (unsigned long)error);
    if (n < 0) n = 1023;
    message[1023] = 0;
    if (GetFileType(err) == FILE_TYPE_CHAR) {
        WriteConsoleW(err, message, (DWORD)n, &written, NULL);
    } else {
        char utf8[4096];
        int bytes = WideCharToMultiByte(CP_UTF8, 0, message, n, utf8, sizeof utf8, NULL, NULL);
        WriteFile(err, utf8, (DWORD)bytes, &written, NULL);
    }
}

int wmain(void) {
    wchar_t folder[MAX_PATH * 4];
    DWORD length = GetModuleFileNameW(NULL, folder, MAX_PATH * 4);
    if (length == 0 || length >= MAX_PATH * 4) { fail(L"GetModuleFileName", L""); return 1; }
    wchar_t *slash = wcsrchr(folder, L'\\');
    if (slash) *slash = 0;

    wchar_t node[MAX_PATH * 4 + 16];
    _snwprintf(node, MAX_PATH * 4 + 16, L"%ls\\node.exe", folder);
    node[MAX_PATH * 4 + 15] = 0;

    const wchar_t *rest = arguments_after_program(GetCommandLineW());
    size_t size = wcslen(node) + wcslen(folder) + wcslen(rest) + 64;
    wchar_t *command = (wchar_t *)HeapAlloc(GetProcessHeap(), 0, size * sizeof(wchar_t));
    if (!command) { fail(L"HeapAlloc", L""); return 1; }
    _snwprintf(command, size, L"\"%ls\" \"%ls\\altazion-update.cjs\"%ls%ls", node, folder, *rest ? L" " : L"", rest);
    command[size - 1] = 0;

    SetConsoleCtrlHandler(ignore_console_event, TRUE);

    HANDLE job = CreateJobObjectW(NULL, NULL);
    if (job) {
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits;
        ZeroMemory(&limits, sizeof limits);
        limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof limits);
    }

    STARTUPINFOW startup;
    ZeroMemory(&startup, sizeof startup);
    startup.cb = sizeof startup;
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    startup.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
    startup.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    PROCESS_INFORMATION process;
    /* Suspended until it is in the job: it cannot outlive the launcher by starting first. */
    if (!CreateProcessW(node, command, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL, &startup, &process)) {
        fail(L"starting", node);
        return 1;
    }
    if (job) AssignProcessToJobObject(job, process.hProcess); /* may fail inside a job that forbids it: run anyway */
    ResumeThread(process.hThread);
    CloseHandle(process.hThread);
    WaitForSingleObject(process.hProcess, INFINITE);
    DWORD code = 1;
    GetExitCodeProcess(process.hProcess, &code);
    CloseHandle(process.hProcess);
    return (int)code;
}
