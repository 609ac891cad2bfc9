/*
 * The artifact's entry point, /sockerless/agent. It runs in any image (no libc needed: it is
 * linked statically) and starts the agent through the artifact's own dynamic loader and
 * libraries, so nothing of the image is used and no LD_LIBRARY_PATH reaches the user's
 * processes:
 *
 *   DIR/lib/ld-linux-x86-64.so.2 --library-path DIR/lib DIR/lib/node DIR/agent.mjs ARGS...
 *
 * It stays as the container's init (PID 1 on ACA; a child subreaper elsewhere): Node reaps only
 * the children it spawned, so orphans re-parented to the container's init would stay zombies.
 * This process waits for every child, passes the signals it receives to the agent, and exits
 * as the agent does.
 *
 * `agent install DEST` (the agent image's command, run by the init container) copies the files
 * the artifact's MANIFEST lists into DEST, with modes any user can run (the image's USER may not
 * be root); done here, it costs no Node start on every container start.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PR_SET_CHILD_SUBREAPER
#define PR_SET_CHILD_SUBREAPER 36
#endif

static pid_t agent = -1;

static void forward(int sig) {
  if (agent > 0) kill(agent, sig);
}

static int mkdirs(char *path) {
  for (char *p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    int r = mkdir(path, 0755);
    *p = '/';
    if (r != 0 && errno != EEXIST) return -1;
  }
  return mkdir(path, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int copy(const char *from, const char *to) {
  struct stat st;
  int in = open(from, O_RDONLY | O_CLOEXEC);
  if (in < 0 || fstat(in, &st) != 0) return -1;
  mode_t mode = (st.st_mode & 0111) ? 0755 : 0644;
  unlink(to);
  int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (out < 0) return close(in), -1;
  static char buf[1 << 20];
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0) {
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(out, buf + done, (size_t)(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return close(in), close(out), -1;
      done += w;
    }
  }
  close(in);
  if (n < 0 || fchmod(out, mode) != 0) return close(out), -1;
  return close(out);
}

/* Copies DIR/MANIFEST's files (and MANIFEST) into dest. */
static int install(const char *dir, const char *dest) {
  char path[PATH_MAX], target[PATH_MAX], line[PATH_MAX];
  snprintf(path, sizeof path, "%s/MANIFEST", dir);
  FILE *manifest = fopen(path, "re");
  if (!manifest) {
    fprintf(stderr, "agent install: %s: %s (not an agent artifact)\n", path, strerror(errno));
    return 125;
  }
  snprintf(target, sizeof target, "%s", dest);
  if (mkdirs(target) != 0 || chmod(dest, 0755) != 0) {
    fprintf(stderr, "agent install: %s: %s\n", dest, strerror(errno));
    return 125;
  }
  int ok = 1;
  for (int last = 0; ok && !last;) {
    if (!fgets(line, sizeof line, manifest)) {
      snprintf(line, sizeof line, "MANIFEST");
      last = 1;
    }
    line[strcspn(line, "\n")] = 0;
    if (!line[0] || strstr(line, "..")) continue;
    snprintf(path, sizeof path, "%s/%s", dir, line);
    snprintf(target, sizeof target, "%s/%s", dest, line);
    char *slash = strrchr(target, '/');
    *slash = 0;
    int made = mkdirs(target);
    *slash = '/';
    if (made != 0 || copy(path, target) != 0) {
      fprintf(stderr, "agent install: %s: %s\n", target, strerror(errno));
      ok = 0;
    }
  }
  fclose(manifest);
  return ok ? 0 : 125;
}

static int directory(char *out, size_t size) {
  ssize_t n = readlink("/proc/self/exe", out, size - 1);
  if (n <= 0) return -1;
  out[n] = 0;
  char *slash = strrchr(out, '/');
  if (!slash) return -1;
  *slash = 0;
  return 0;
}

int main(int argc, char **argv) {
  char dir[PATH_MAX];
  if (directory(dir, sizeof dir) != 0) {
    /* No /proc: fall back on argv[0], which the runtime gives as an absolute path. */
    if (!argv[0] || argv[0][0] != '/' || strlen(argv[0]) >= sizeof dir) {
      fprintf(stderr, "sockerless agent: cannot find its own directory\n");
      return 125;
    }
    strcpy(dir, argv[0]);
    *strrchr(dir, '/') = 0;
  }
  if (argc > 1 && strcmp(argv[1], "install") == 0) {
    if (argc != 3) {
      fprintf(stderr, "usage: agent install DEST\n");
      return 125;
    }
    return install(dir, argv[2]);
  }

  char loader[PATH_MAX + 64], lib[PATH_MAX + 16], node[PATH_MAX + 16], script[PATH_MAX + 16];
  snprintf(loader, sizeof loader, "%s/lib/ld-linux-x86-64.so.2", dir);
  snprintf(lib, sizeof lib, "%s/lib", dir);
  snprintf(node, sizeof node, "%s/lib/node", dir);
  snprintf(script, sizeof script, "%s/agent.mjs", dir);

  char **args = calloc((size_t)argc + 8, sizeof *args);
  if (!args) return 125;
  int n = 0;
  args[n++] = loader;
  args[n++] = "--library-path";
  args[n++] = lib;
  args[n++] = node;
  args[n++] = script;
  for (int i = 1; i < argc; i++) args[n++] = argv[i];
  args[n] = NULL;


  if (getpid() != 1) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  agent = fork();
  if (agent < 0) {
    perror("sockerless agent: fork");
    return 125;
  }
  if (agent == 0) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    execv(loader, args);
    fprintf(stderr, "sockerless agent: exec %s: %s\n", loader, strerror(errno));
    _exit(125);
  }

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = forward;
  sa.sa_flags = SA_RESTART;
  int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGALRM, SIGCONT};
  for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++) sigaction(forwarded[i], &sa, NULL);
  sigprocmask(SIG_SETMASK, &old, NULL);

  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      return 125; /* ECHILD before the agent's end cannot happen */
    }
    if (pid != agent) continue; /* an orphan, reaped */
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  }
}
