package io.quantix.shell.internal;

import io.quantix.api.agent.FileTransfer;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;

@Service
@Command(scope = "qx", name = "vm-file-push", description = "Copies a file of the node (under the folders API clients"
        + " may name) into a VM through its guest agent, checked by SHA-256")
public class VmFilePush extends AgentAction {
    @Argument(index = 1, name = "local", required = true, description = "absolute path of the file on the node")
    @Completion(FileCompleter.class)
    String local;

    @Argument(index = 2, name = "guest-path", required = true, description = "absolute path in the guest")
    String guestPath;

    @Override
    protected Object run() {
        FileTransfer sent = agents.push(vm, local, guestPath);
        System.out.println(local + " -> " + vm + ":" + sent.path() + ": " + Format.bytes(sent.bytes()) + ", SHA-256 "
                + sent.sha256());
        return null;
    }
}
