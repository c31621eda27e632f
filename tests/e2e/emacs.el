;;; emacs.el --- kiyaku through Emacs's eglot, in batch  -*- lexical-binding: t -*-
;; The eglot configuration of the README, then: diagnostics through flymake, hover, go to
;; definition (xref), and code actions with distinct titles on the shared regulation.
;;   emacs --batch -l tests/e2e/emacs.el      (from the repository root; KIYAKU_BIN names
;;   the binary, default target/debug/kiyaku)
(require 'package)
(package-initialize)
(require 'eglot)
(require 'xref)
(require 'cl-lib)

(defvar kiyaku-e2e-binary (expand-file-name (or (getenv "KIYAKU_BIN") "target/debug/kiyaku")))
(defvar kiyaku-e2e-passed 0)

(defun kiyaku-e2e-check (condition message)
  (unless condition
    (princ (format "emacs e2e: %s\n" message) #'external-debugging-output)
    (kill-emacs 1))
  (setq kiyaku-e2e-passed (1+ kiyaku-e2e-passed)))

(defun kiyaku-e2e-wait (predicate seconds)
  (let ((deadline (+ (float-time) seconds)) value)
    (while (and (not (setq value (funcall predicate))) (< (float-time) deadline))
      (accept-process-output nil 0.1))
    value))

;; the README's configuration (with the binary under test)
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               `((text-mode markdown-mode) . (,kiyaku-e2e-binary "lsp"))))
(add-hook 'text-mode-hook #'eglot-ensure)

(find-file "tests/corpus/shared/regulation-tsc.txt")
(text-mode)
;; eglot-ensure connects after the command loop runs a command; batch has none
(unless (eglot-current-server) (apply #'eglot (eglot--guess-contact)))
(kiyaku-e2e-check (kiyaku-e2e-wait #'eglot-current-server 30) "eglot did not connect")

;; diagnostics, through flymake
(kiyaku-e2e-check
 (kiyaku-e2e-wait (lambda () (flymake-diagnostics)) 30)
 "flymake got no diagnostics")
(let ((texts (mapcar #'flymake-diagnostic-text (flymake-diagnostics))))
  (kiyaku-e2e-check (cl-some (lambda (t_) (string-match-p "毀損" t_)) texts)
                    "the typo 滅失及び既存 was not reported"))

;; hover on a reference to an article: its text
(goto-char (point-min))
(re-search-forward "第[0-9０-９]+条第[0-9０-９]+項")
(goto-char (match-beginning 0))
(let ((hover (jsonrpc-request (eglot-current-server) :textDocument/hover
                             (eglot--TextDocumentPositionParams))))
  (kiyaku-e2e-check (and hover (plist-get hover :contents)) "no hover on an article reference"))

;; go to definition of that reference (xref through eglot)
(let* ((backend (xref-find-backend))
       (definitions (xref-backend-definitions backend (xref-backend-identifier-at-point backend))))
  (kiyaku-e2e-check (and (eq backend 'eglot) definitions) "no definition through xref"))

;; code actions over the whole document: distinct titles (eglot asks for one by title)
(let* ((actions (eglot-code-actions (point-min) (point-max)))
       (titles (mapcar (lambda (a) (plist-get a :title)) actions)))
  (kiyaku-e2e-check (> (length titles) 5) (format "few code actions: %S" titles))
  (kiyaku-e2e-check (= (length titles) (length (delete-dups (copy-sequence titles))))
                    (format "code action titles repeat: %S" titles)))

(princ (format "emacs %s + eglot: %d passed, 0 failed\n" emacs-version kiyaku-e2e-passed))
(kill-emacs 0)
