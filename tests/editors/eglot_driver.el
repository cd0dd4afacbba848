;;; eglot_driver.el --- drive texgrad lsp from Emacs's eglot, headless  -*- lexical-binding: t -*-

;; Written for Emacs 28 with eglot 1.9 (Debian's emacs-nox and elpa-eglot), whose client
;; counts columns in UTF-16, resolves no code action and announces documentChanges.
;;
;;   TEXGRAD_SPEC=spec.json emacs --batch -l eglot_driver.el
;;
;; spec.json is the one tests/editors/nvim_driver.lua reads: {"cmd", "env", "settings",
;; "doc", "report", "timeout" (ms), "hover"/"definition": [line, needle], "fix"/"action":
;; [line, needle, title-regexp], "hover_after", "clean" (the document has no problem: wait
;; for the server's first diagnostics, an empty list, instead of one shown), "codes" (wait
;; until a diagnostic of each code is shown), "edit": [file, line, old, new] (another file
;; of the project edited and saved), and for eglot
;; "open_first" (a file to visit first, whose buffer starts the server) and "no_markdown_mode".  Each step is done as a user would,
;; through eglot's own commands (eglot-ensure, flymake, eldoc, xref, eglot-code-actions),
;; and recorded in the report (JSON) for the Python test to judge.

(require 'cl-lib)
(require 'json)
(require 'eglot)

(defvar texgrad-spec
  (let ((json-object-type 'alist) (json-array-type 'list) (json-key-type 'symbol))
    (json-read-file (getenv "TEXGRAD_SPEC"))))
(defun texgrad-spec (key) (alist-get key texgrad-spec))

(if (texgrad-spec 'no_markdown_mode)
    ;; as with emacs-nox and elpa-eglot alone: eglot asks for plain-text hovers
    (progn (fmakunbound 'gfm-view-mode) (fmakunbound 'markdown-mode))
  (require 'markdown-mode nil t))
(unless (fboundp 'markdown-mode)
  ;; no elpa-markdown-mode: a stand-in major mode, as eglot needs one
  (define-derived-mode markdown-mode text-mode "Markdown"))
(add-to-list 'auto-mode-alist '("\\.md\\'" . markdown-mode))
(defvar texgrad-report nil)
(defvar texgrad-errors nil)
(defvar texgrad-published 0)
(defvar texgrad-timeout (/ (or (texgrad-spec 'timeout) 15000) 1000.0))

(defun texgrad-put (key value) (push (cons key value) texgrad-report))
(defun texgrad-fail (fmt &rest args) (push (apply #'format fmt args) texgrad-errors))

(defun texgrad-wait (pred &optional seconds)
  "Process events until PRED holds or SECONDS pass; PRED's value.  Runs the hooks
the command loop and redisplay would (eglot-ensure connects after a command; flymake
starts once the buffer is shown)."
  (let ((deadline (+ (float-time) (or seconds texgrad-timeout))) value)
    (while (and (not (setq value (funcall pred))) (< (float-time) deadline))
      (run-hooks 'post-command-hook 'window-configuration-change-hook)
      (accept-process-output nil 0.02))
    value))

(defun texgrad-open (path)
  "Visit PATH and start eglot there, as a hook on its major mode would (without a
\"cmd\" in the spec, the init file's hook, a README snippet, does it)."
  (find-file path)
  (when (texgrad-spec 'cmd)
    (eglot-ensure))
  (unless (texgrad-wait (lambda () (and (eglot-current-server) eglot--managed-mode)))
    (error "eglot did not connect for %s" path)))

(defun texgrad-goto (line needle)
  (goto-char (point-min))
  (forward-line (1- line))
  (if (search-forward needle (line-end-position) t)
      (progn (goto-char (match-beginning 0)) t)
    (texgrad-fail "needle %S not on line %d" needle line)
    nil))

(defun texgrad-column ()
  "Characters from the start of the line to point (`current-column' counts display
columns: an emoji is two)."
  (- (point) (line-beginning-position)))

(defun texgrad-here ()
  "Point as 1-based line and column in characters."
  (list (cons 'line (line-number-at-pos)) (cons 'col (texgrad-column))
        (cons 'file (buffer-file-name))))

(defun texgrad-diagnostics ()
  (mapcar (lambda (d)
            (let ((beg (flymake-diagnostic-beg d)) (end (flymake-diagnostic-end d)))
              (save-excursion
                (list (cons 'line (progn (goto-char beg) (line-number-at-pos)))
                      (cons 'col (texgrad-column))
                      (cons 'end_col (progn (goto-char end) (texgrad-column)))
                      (cons 'text (flymake-diagnostic-text d))
                      (cons 'type (symbol-name (flymake-diagnostic-type d)))))))
          (flymake-diagnostics)))

(advice-add 'eglot-handle-notification :before
            (lambda (_server method &rest _)
              (when (eq method 'textDocument/publishDiagnostics)
                (cl-incf texgrad-published))))

(defun texgrad-hover ()
  "What eglot's eldoc hover function shows at point."
  (let (info done)
    (eglot-hover-eldoc-function (lambda (doc &rest _) (setq info doc done t)))
    (texgrad-wait (lambda () done))
    info))

(defun texgrad-action (step name)
  "List the code actions at STEP and run the one matching its title regexp through
`eglot-code-actions', as M-x eglot-code-actions RET title RET does."
  (when (and step (texgrad-goto (nth 0 step) (nth 1 step)))
    (let* ((actions (eglot-code-actions (point)))
           (titles (mapcar (lambda (a) (plist-get a :title)) actions))
           (title (cl-find-if (lambda (s) (string-match-p (nth 2 step) s)) titles))
           (tick (buffer-chars-modified-tick))
           (seen texgrad-published)
           (rec (list (cons 'titles titles) (cons 'chosen title))))
      (when title
        (condition-case err
            (cl-letf (((symbol-function 'completing-read)
                       (lambda (&rest _) title))
                      ((symbol-function 'y-or-n-p) (lambda (&rest _) t)))
              (let ((last-nonmenu-event ?\r))  ; from the keyboard: no popup menu
                (eglot-code-actions (point) nil nil t)))
          (error (texgrad-fail "%s: %s" name (error-message-string err)))))
      (push (cons 'applied (/= tick (buffer-chars-modified-tick))) rec)
      (save-buffer)
      (push (cons 'text (with-temp-buffer
                          (insert-file-contents (texgrad-spec 'doc))
                          (buffer-string)))
            rec)
      (push (cons 'republished (texgrad-wait (lambda () (> texgrad-published seen)))) rec)
      (accept-process-output nil 0.1)
      (push (cons 'diagnostics_after (texgrad-diagnostics)) rec)
      (texgrad-put (intern name) rec))))

(defvar texgrad-shown nil "window/showMessage texts the server sent, newest first.")
(advice-add 'eglot-handle-notification :before
            (lambda (_server method &rest params)
              (when (eq method 'window/showMessage)
                (push (plist-get params :message) texgrad-shown))))

(defun texgrad-show (step)
  "\"Show derivation\": the action at STEP matching its title regexp, run through
`eglot-code-actions'; eglot runs its command on the server (workspace/executeCommand),
which answers with window/showMessage.  Records the message and that the buffer is
unchanged."
  (when (and step (texgrad-goto (nth 0 step) (nth 1 step)))
    (let* ((actions (eglot-code-actions (point)))
           (titles (mapcar (lambda (a) (plist-get a :title)) actions))
           (title (cl-find-if (lambda (s) (string-match-p (nth 2 step) s)) titles))
           (action (cl-find-if (lambda (a) (equal (plist-get a :title) title)) actions))
           (tick (buffer-chars-modified-tick))
           (seen (length texgrad-shown)))
      (when title
        (condition-case err
            (cl-letf (((symbol-function 'completing-read) (lambda (&rest _) title)))
              (let ((last-nonmenu-event ?\r))
                (eglot-code-actions (point) nil nil t)))
          (error (texgrad-fail "show: %s" (error-message-string err)))))
      (texgrad-wait (lambda () (> (length texgrad-shown) seen)))
      (texgrad-put 'show
                   (list (cons 'titles titles) (cons 'chosen title)
                         (cons 'had_edit (and (plist-get action :edit) t))
                         (cons 'command (plist-get (plist-get action :command) :command))
                         (cons 'messages (reverse (butlast texgrad-shown seen)))
                         (cons 'doc_unchanged (= tick (buffer-chars-modified-tick))))))))

;; a diagnostic's code, from flymake's text "texgrad [code]: ..."
(defun texgrad-has-codes ()
  "Is a diagnostic of each code of the spec's \"codes\" shown (the derivative checks
publish after the shape diagnostics)?"
  (let ((texts (mapcar #'flymake-diagnostic-text (flymake-diagnostics))))
    (cl-every (lambda (code)
                (cl-some (lambda (x) (string-match-p (regexp-quote (format "[%s]" code)) x))
                         texts))
              (texgrad-spec 'codes))))

(defun texgrad-edit (step)
  "Another file of the project (STEP: file, line, old text, new text) visited, edited and
saved, as a user does in another window; then, back in the document, its diagnostics once
their number changed."
  (when step
    (let ((doc (current-buffer))
          (seen texgrad-published)
          (before (length (flymake-diagnostics))))
      (texgrad-open (nth 0 step))
      (goto-char (point-min))
      (forward-line (1- (nth 1 step)))
      (if (search-forward (nth 2 step) (line-end-position) t)
          (replace-match (nth 3 step) t t)
        (texgrad-fail "edit: %S not on line %d of %s" (nth 2 step) (nth 1 step) (nth 0 step)))
      (save-buffer)
      (switch-to-buffer doc)
      (let ((republished (texgrad-wait (lambda () (> texgrad-published seen)))))
        (texgrad-wait (lambda () (/= (length (flymake-diagnostics)) before)))
        (texgrad-put 'edit (list (cons 'republished republished)
                                 (cons 'diagnostics_after (texgrad-diagnostics))))))))

(defun texgrad-eglot-version ()
  (let ((lib (locate-library "eglot")))
    (if (and lib (string-match "eglot-\\([0-9.]+\\)" lib)) (match-string 1 lib) "unknown")))

(defmacro texgrad-with-server (&rest body)
  "BODY with the spec's server command and settings, or, when the spec has no \"cmd\",
with those of the init file loaded before this driver (a README snippet)."
  `(if (texgrad-spec 'cmd)
       (let* ((process-environment
               (append (mapcar (lambda (kv) (format "%s=%s" (car kv) (cdr kv)))
                               (texgrad-spec 'env))
                       process-environment))
              (eglot-server-programs
               `(((latex-mode tex-mode plain-tex-mode markdown-mode) . ,(texgrad-spec 'cmd))))
              (eglot-workspace-configuration
               (let ((settings (alist-get 'texgrad (texgrad-spec 'settings))))
                 (and settings (list :texgrad settings)))))
         ,@body)
     ,@body))

(condition-case err
    (texgrad-with-server
     (let ((inhibit-message t))
      (texgrad-put 'emacs emacs-version)
      (texgrad-put 'eglot (texgrad-eglot-version))
      (texgrad-put 'hover_formats (if (fboundp 'gfm-view-mode) "markdown" "plaintext"))
      ;; another file of the project first: the server is started from its buffer
      (when (texgrad-spec 'open_first)
        (texgrad-open (texgrad-spec 'open_first)))
      (let ((opened (float-time)))
        (texgrad-open (texgrad-spec 'doc))
        (texgrad-put 'mode (symbol-name major-mode))
        (texgrad-put 'contact (format "%S" (process-command
                                            (jsonrpc--process (eglot-current-server)))))
        ;; diagnostics, as flymake holds them; from find-file to the first one shown
        (texgrad-wait (lambda () (or (and (flymake-diagnostics) (texgrad-has-codes))
                                     (and (texgrad-spec 'clean) (> texgrad-published 0)))))
        (texgrad-put 'first_diagnostic_ms (* 1000 (- (float-time) opened))))
      (texgrad-put 'diagnostics (texgrad-diagnostics))
      ;; hover (eldoc)
      (let ((h (texgrad-spec 'hover)))
        (when (and h (texgrad-goto (nth 0 h) (nth 1 h)))
          (texgrad-put 'hover (texgrad-hover))))
      ;; go to definition (M-.)
      (let ((d (texgrad-spec 'definition)))
        (when (and d (texgrad-goto (nth 0 d) (nth 1 d)))
          (let ((buf (current-buffer)))
            (xref-find-definitions (xref-backend-identifier-at-point 'eglot))
            (texgrad-put 'definition (texgrad-here))
            (switch-to-buffer buf))))
      (texgrad-action (texgrad-spec 'fix) "fix")
      (texgrad-action (texgrad-spec 'action) "action")
      (texgrad-show (texgrad-spec 'show))
      (texgrad-edit (texgrad-spec 'edit))
      (let ((h (texgrad-spec 'hover_after)))
        (when (and h (texgrad-goto (nth 0 h) (nth 1 h)))
          (texgrad-put 'hover_after (texgrad-hover))))
      (let ((server (eglot-current-server)))
        (with-current-buffer (jsonrpc-events-buffer server)
          (texgrad-put 'events (buffer-string)))
        (eglot-shutdown server))))
  (error (texgrad-fail "driver: %s" (error-message-string err))))

(texgrad-put 'errors texgrad-errors)
(with-temp-file (texgrad-spec 'report)
  (let ((json-encoding-pretty-print nil))
    (insert (json-encode texgrad-report))))
(kill-emacs 0)
